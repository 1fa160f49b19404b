/**
 * Names of the definitions in a syntax tree, and which chunk each belongs to.
 *
 * One walk of the tree finds every definition node (see `grammars.ts` and `DefinitionFinder`); its name comes
 * from the grammar's `name` field, or for C-family declarators and Rust `impl` blocks from where those grammars
 * keep it. A definition inside a container (a class, interface, impl, trait, Ruby module, TS namespace)
 * also gets the qualified form `Container.name`; Go methods are qualified by their receiver type.
 */
import type { GrammarSpec } from './grammars.ts';
import { parseShapePattern, type ShapePattern } from './shape-pattern.ts';
import type { Grammar, SyntaxNode } from './tree-sitter-runtime.ts';

/** A definition found in the tree: where it starts (UTF-16 offset) and the names to index it under. */
export interface Definition {
  readonly offset: number;
  readonly names: readonly string[];
}

/** Names longer than this are not names but some construct a grammar mislabelled; they are skipped. */
const MAX_NAME_LENGTH = 200;

/** Node types that hold a declarator's name in the C and C++ grammars. */
const DECLARATOR_NAMES = new Set([
  'identifier',
  'field_identifier',
  'type_identifier',
  'qualified_identifier',
  'operator_name',
  'destructor_name',
]);

/** What a node type means for definitions, as bits. */
const DEFINES = 1;
const CONTAINS = 2;
/** A definition that is not a container: what it defines inside is local, not a member. */
const ENCLOSES_LOCALS = 4;

/** A shape pattern, and the parent types its definition needs (undefined: any parent). */
interface Shape {
  readonly pattern: ShapePattern;
  readonly parents?: ReadonlySet<number>;
}

/**
 * Finds the definitions of one grammar in its trees, in one pass.
 *
 * A tree cursor walks every node once, carrying down the stack of enclosing containers and definitions, so
 * the cost is linear in the tree whatever its depth. Node types decide most definitions; the shape-dependent
 * ones (`const f = () => …`) are checked at the nodes of their root type (shape-pattern.ts). Both things
 * this avoids are super-linear on deeply nested code: `node.parent` (tree-sitter walks down from the root
 * for it: 20,000 nested functions took 45 s) and tree-sitter queries, which slow down quadratically with
 * the nesting of what they match (and silently stop at 32,768 captures).
 */
export class DefinitionFinder {
  readonly #roles: Uint8Array;
  /** By node type id: the shapes rooted at that type. */
  readonly #shapes: ReadonlyMap<number, readonly Shape[]>;

  private constructor(roles: Uint8Array, shapes: ReadonlyMap<number, readonly Shape[]>) {
    this.#roles = roles;
    this.#shapes = shapes;
  }

  /**
   * The finder for a grammar, or undefined for grammars that define nothing (CSS).
   * @throws Error when the spec names a node type or field the grammar does not have (a grammar upgrade
   *   renamed it), so that it fails in the tests instead of silently losing symbols.
   */
  static create(grammar: Grammar, spec: GrammarSpec): DefinitionFinder | undefined {
    const scoped = spec.scopedDefinitionPatterns ?? [];
    const unscoped = spec.definitionPatterns ?? [];
    if (spec.definitions.length + unscoped.length + scoped.length === 0) return undefined;
    // By type id: one grammar may give a type name several ids (aliases), and a keyword may share a named
    // node's name (`class`), which only the named ids stand for.
    const idsOf = (types: readonly string[]): Set<number> => {
      for (const type of types)
        if (grammar.idForNodeType(type, true) === null)
          throw new Error(`the grammar ${spec.wasmFile} has no node type "${type}"`);
      const ids = new Set<number>();
      for (let id = 0; id < grammar.nodeTypeCount; id++)
        if (grammar.nodeTypeIsNamed(id) && types.includes(grammar.nodeTypeForId(id) ?? '')) ids.add(id);
      return ids;
    };
    const roles = new Uint8Array(grammar.nodeTypeCount);
    for (const id of idsOf(spec.definitions)) roles[id] = (roles[id] as number) | DEFINES | ENCLOSES_LOCALS;
    for (const id of idsOf(spec.containers))
      roles[id] = ((roles[id] as number) & ~ENCLOSES_LOCALS) | CONTAINS;
    const shapes = new Map<number, Shape[]>();
    const addShape = (source: string, parents?: readonly string[]): void => {
      const pattern = parseShapePattern(source, grammar);
      const shape: Shape = parents ? { pattern, parents: idsOf(parents) } : { pattern };
      for (const id of idsOf([pattern.rootType])) shapes.set(id, [...(shapes.get(id) ?? []), shape]);
    };
    for (const source of unscoped) addShape(source);
    for (const { pattern, parents } of scoped) addShape(pattern, parents);
    return new DefinitionFinder(roles, shapes);
  }

  /** Every named definition under `root`, in file order. */
  find(root: SyntaxNode): Definition[] {
    const definitions: Definition[] = [];
    /** Enclosing containers and definitions; a container's name is looked up when first needed. */
    const scopes: { depth: number; container?: { node: SyntaxNode; name?: string | null } }[] = [];
    /** The type id of the node the cursor is at, per depth: a node's parent is one level up. */
    const typeAtDepth: number[] = [];
    const cursor = root.walk();
    try {
      let depth = 0;
      for (;;) {
        while ((scopes.at(-1)?.depth ?? -1) >= depth) scopes.pop();
        const typeId = cursor.nodeTypeId;
        typeAtDepth[depth] = typeId;
        const role = this.#roles[typeId] ?? 0;
        const shapes = this.#shapes.get(typeId);
        let node: SyntaxNode | undefined;
        if (role & DEFINES || shapes !== undefined) {
          const current = cursor.currentNode;
          node = current;
          const parent = typeAtDepth[depth - 1];
          const defines =
            role & DEFINES ||
            shapes?.some(
              (shape) =>
                (!shape.parents || (parent !== undefined && shape.parents.has(parent))) &&
                shape.pattern.matches(current),
            );
          const name = defines ? definitionName(current) : undefined;
          if (name) {
            const names = [name.short];
            const qualifier = name.qualifier ?? containerName(scopes.at(-1)?.container);
            if (qualifier) names.push(`${qualifier}.${name.short}`);
            definitions.push({ offset: cursor.startIndex, names });
          }
        }
        if (role & CONTAINS) scopes.push({ depth, container: { node: node ?? cursor.currentNode } });
        else if (role & ENCLOSES_LOCALS) scopes.push({ depth });
        if (cursor.gotoFirstChild()) {
          depth++;
          continue;
        }
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) return definitions;
          depth--;
        }
      }
    } finally {
      cursor.delete();
    }
  }
}

function containerName(
  container: { node: SyntaxNode; name?: string | null } | undefined,
): string | undefined {
  if (!container) return undefined;
  if (container.name === undefined) container.name = definitionName(container.node)?.short ?? null;
  return container.name ?? undefined;
}

interface DefinitionName {
  readonly short: string;
  /** Set when the name itself carries its container (`Matrix::transpose`, a Go receiver). */
  readonly qualifier?: string;
}

function definitionName(node: SyntaxNode): DefinitionName | undefined {
  const nameNode = nameNodeOf(node);
  if (!nameNode) return undefined;
  if (nameNode.type === 'qualified_identifier') {
    // `Matrix<T>::transpose` → `transpose` in `Matrix`: the parts, each without template arguments.
    const parts = nameNode.text
      .split('::')
      .map(clean)
      .filter((part) => part.length > 0);
    const short = parts.pop();
    if (!short) return undefined;
    return parts.length > 0 ? { short, qualifier: parts.join('.') } : { short };
  }
  const short = clean(nameNode.text);
  if (!short) return undefined;
  const qualifier = node.type === 'method_declaration' ? goReceiverType(node) : undefined;
  return qualifier ? { short, qualifier } : { short };
}

function nameNodeOf(node: SyntaxNode): SyntaxNode | null {
  switch (node.type) {
    case 'impl_item':
      return node.childForFieldName('type');
    case 'assignment_expression':
      return node.childForFieldName('left')?.childForFieldName('property') ?? null;
    case 'field_definition':
      return node.childForFieldName('property');
    default:
      return node.childForFieldName('name') ?? declaratorName(node);
  }
}

/** Follows C/C++ declarators (`*`, `&`, `(…)`, function, array) down to the declared name. */
function declaratorName(node: SyntaxNode): SyntaxNode | null {
  let current = node.childForFieldName('declarator');
  for (let depth = 0; current && depth < 10; depth++) {
    if (DECLARATOR_NAMES.has(current.type)) return current;
    current =
      current.childForFieldName('declarator') ??
      current.namedChildren.find(
        (child) => child !== null && (DECLARATOR_NAMES.has(child.type) || child.type.endsWith('declarator')),
      ) ??
      null;
  }
  return null;
}

/** `(s *Server)` → `Server`; undefined for methods without a receiver (Java, C#, PHP). */
function goReceiverType(method: SyntaxNode): string | undefined {
  const receiver = method.childForFieldName('receiver');
  if (!receiver) return undefined;
  const typeName = receiver.descendantsOfType('type_identifier')[0];
  return typeName ? clean(typeName.text) : undefined;
}

/** Strips quotes (`declare module 'x'`) and generic arguments (`impl<T> Foo<T>`), squeezes whitespace. */
function clean(raw: string): string {
  if (raw.length > MAX_NAME_LENGTH) return '';
  let text = raw.replace(/^['"`]|['"`]$/g, '');
  // `operator<<` keeps its angle brackets.
  if (!text.startsWith('operator')) text = text.replace(/<.*$/s, '');
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The names of the definitions that start in `[from, to)` (UTF-16 offsets), in file order, without
 * repeats. `definitions` must be sorted by offset.
 */
export function namesInRange(definitions: readonly Definition[], from: number, to: number): string[] {
  let low = 0;
  let high = definitions.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((definitions[mid] as Definition).offset < from) low = mid + 1;
    else high = mid;
  }
  const names: string[] = [];
  for (let i = low; i < definitions.length; i++) {
    const definition = definitions[i] as Definition;
    if (definition.offset >= to) break;
    for (const name of definition.names) if (!names.includes(name)) names.push(name);
  }
  return names;
}
