/**
 * Definitions that depend on their shape (`const f = () => …`, a C struct with a body), written in the
 * subset of tree-sitter's query syntax the grammar specs use, and matched on one node at a time.
 *
 * tree-sitter's own query cursor keeps a match open for as long as the node it started on is being visited,
 * so nested matches pile up: 20,000 nested `struct S {` took a minute. Here a pattern is checked at a node
 * by looking at that node's fields only (a few `childForFieldName` calls), during the one walk that finds
 * every definition, so the cost is linear in the tree.
 *
 * Syntax: `(type field: CHILD …) @definition`, where CHILD is `(_)` (any named node), `(type …)` (recursively)
 * or `[CHILD CHILD …]` (any of them).
 */
import type { Grammar, SyntaxNode } from './tree-sitter-runtime.ts';

/** One node of a pattern: its type (undefined for `_`) and the fields its children must match. */
interface ShapeNode {
  readonly type: string | undefined;
  readonly fields: readonly { readonly name: string; readonly alternatives: readonly ShapeNode[] }[];
}

export interface ShapePattern {
  /** The type of the node the pattern is rooted at (where it is checked). */
  readonly rootType: string;
  /** Whether `node` (of type `rootType`) has the pattern's shape. */
  matches(node: SyntaxNode): boolean;
}

/**
 * Parses a pattern, checking every type and field name against the grammar.
 * @throws Error on a syntax error or an unknown type or field (a grammar upgrade renamed it).
 */
export function parseShapePattern(source: string, grammar: Grammar): ShapePattern {
  const tokens = source.match(/\(|\)|\[|\]|@[\w.]+|[\w.]+:|[\w.]+|_/g) ?? [];
  let at = 0;
  const fail = (message: string): never => {
    throw new Error(`shape pattern ${JSON.stringify(source)}: ${message}`);
  };
  const next = (): string => tokens[at++] ?? fail('ends too early');
  const expect = (token: string): void => {
    if (next() !== token) fail(`expected ${token}`);
  };

  function node(): ShapeNode {
    expect('(');
    const name = next();
    const type = name === '_' ? undefined : name;
    if (type !== undefined && grammar.idForNodeType(type, true) === null) fail(`unknown node type ${type}`);
    const fields: { name: string; alternatives: ShapeNode[] }[] = [];
    while (tokens[at] !== ')') {
      const field = next();
      if (!field.endsWith(':')) fail(`expected a field name, got ${field}`);
      const fieldName = field.slice(0, -1);
      if (grammar.fieldIdForName(fieldName) === null) fail(`unknown field ${fieldName}`);
      fields.push({ name: fieldName, alternatives: child() });
    }
    expect(')');
    return { type, fields };
  }

  function child(): ShapeNode[] {
    if (tokens[at] !== '[') return [node()];
    expect('[');
    const alternatives: ShapeNode[] = [];
    while (tokens[at] !== ']') alternatives.push(node());
    expect(']');
    return alternatives;
  }

  const root = node();
  if (next() !== '@definition') fail('the root must be captured as @definition');
  if (at !== tokens.length) fail('unexpected text after the capture');
  if (root.type === undefined) fail('the root must name a node type');
  return { rootType: root.type as string, matches: (candidate) => matches(root, candidate) };
}

function matches(shape: ShapeNode, node: SyntaxNode): boolean {
  if (!node.isNamed) return false;
  if (shape.type !== undefined && node.type !== shape.type) return false;
  return shape.fields.every(({ name, alternatives }) => {
    const child = node.childForFieldName(name);
    return child !== null && alternatives.some((alternative) => matches(alternative, child));
  });
}
