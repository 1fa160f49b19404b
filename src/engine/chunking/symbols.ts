/**
 * Names of the definitions in a syntax tree, and which chunk each belongs to.
 *
 * One query per grammar finds every definition node (see `grammars.ts`); its name comes from the
 * grammar's `name` field, or for C-family declarators and Rust `impl` blocks from where those grammars
 * keep it. A definition inside a container (a class, interface, impl, trait, Ruby module, TS namespace)
 * also gets the qualified form `Container.name`; Go methods are qualified by their receiver type.
 */
import type { GrammarSpec } from './grammars.ts';
import type { Grammar, Query, SyntaxNode } from './tree-sitter-runtime.ts';
import { QueryClass } from './tree-sitter-runtime.ts';

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

/** Builds the definitions query for a grammar, or undefined for grammars that define nothing (CSS). */
export function compileDefinitionQuery(grammar: Grammar, spec: GrammarSpec): Query | undefined {
  const patterns = [...(spec.definitionPatterns ?? [])];
  if (spec.definitions.length > 0)
    patterns.unshift(`[${spec.definitions.map((type) => `(${type})`).join(' ')}] @definition`);
  return patterns.length > 0 ? new QueryClass(grammar, patterns.join('\n')) : undefined;
}

/** Every named definition under `root`, in file order. */
export function findDefinitions(root: SyntaxNode, query: Query, spec: GrammarSpec): Definition[] {
  const containers = new Set(spec.containers);
  const functions = new Set(spec.definitions.filter((type) => !containers.has(type)));
  const definitions: Definition[] = [];
  const seen = new Set<number>();
  for (const { node } of query.captures(root)) {
    // A node that matches two patterns is still one definition.
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    const name = definitionName(node);
    if (!name) continue;
    const names = [name.short];
    const qualifier = name.qualifier ?? qualifierOf(node, containers, functions);
    if (qualifier) names.push(`${qualifier}.${name.short}`);
    definitions.push({ offset: node.startIndex, names });
  }
  definitions.sort((a, b) => a.offset - b.offset);
  return definitions;
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

/**
 * The name of the nearest enclosing container, if the definition is one of its members. A definition
 * local to a function or method is not a member, so the search stops there.
 */
function qualifierOf(
  node: SyntaxNode,
  containers: ReadonlySet<string>,
  otherDefinitions: ReadonlySet<string>,
): string | undefined {
  if (containers.size === 0) return undefined;
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (containers.has(parent.type)) return definitionName(parent)?.short;
    if (otherDefinitions.has(parent.type)) return undefined;
  }
  return undefined;
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
