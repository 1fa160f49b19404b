/**
 * Which tree-sitter grammar chunks which language, and what counts as a definition in it. Grammars are the
 * WASM builds bundled in `@vscode/tree-sitter-wasm`; languages without an entry are chunked in line windows.
 *
 * Definition node types are checked when the chunker starts (a query naming an unknown type throws), so a
 * grammar upgrade that renames a type fails loudly in the tests instead of silently losing symbols.
 */
import type { Language } from '../languages.ts';

export interface GrammarSpec {
  /** File name in `@vscode/tree-sitter-wasm/wasm/`. */
  readonly wasmFile: string;
  /** Node types that define a named symbol; each match is a definition. */
  readonly definitions: readonly string[];
  /**
   * Query patterns, each capturing `@definition`, for definitions that depend on their shape. Each pattern is
   * rooted at the definition itself: a pattern rooted at an enclosing node (`(declaration_list (declaration …))`)
   * keeps a match open for the whole span of every such node, which is quadratic in their nesting.
   */
  readonly definitionPatterns?: readonly string[];
  /**
   * Patterns whose definition counts only as the direct child of a node of one of `parents` (checked during
   * the walk, for the reason above).
   */
  readonly scopedDefinitionPatterns?: readonly {
    readonly pattern: string;
    readonly parents: readonly string[];
  }[];
  /** Definitions whose name qualifies the definitions inside them (`Class.method`). */
  readonly containers: readonly string[];
  /**
   * Node types that belong to the node after them, like comments do: decorators and attributes that the
   * grammar places beside, not inside, the definition they annotate.
   */
  readonly attachedToNext: readonly string[];
}

const JS_FUNCTION_VALUES = '[(arrow_function) (function_expression) (generator_function) (class)]';

const JAVASCRIPT_DEFINITIONS: readonly string[] = [
  'function_declaration',
  'generator_function_declaration',
  'class_declaration',
  'method_definition',
];

const JAVASCRIPT_PATTERNS: readonly string[] = [
  // const handler = () => {…}, let Foo = class {…}
  `(variable_declarator name: (identifier) value: ${JS_FUNCTION_VALUES}) @definition`,
  // Foo.prototype.bar = function () {…}, module.exports.baz = () => {…}
  `(assignment_expression left: (member_expression property: (property_identifier)) right: ${JS_FUNCTION_VALUES}) @definition`,
];

const TYPESCRIPT: GrammarSpec = {
  wasmFile: 'tree-sitter-typescript.wasm',
  definitions: [
    ...JAVASCRIPT_DEFINITIONS,
    'abstract_class_declaration',
    'abstract_method_signature',
    'function_signature',
    'method_signature',
    'interface_declaration',
    'type_alias_declaration',
    'enum_declaration',
    'internal_module',
    'module',
  ],
  definitionPatterns: [
    ...JAVASCRIPT_PATTERNS,
    // class Foo { handle = () => {…} }
    `(public_field_definition name: (_) value: ${JS_FUNCTION_VALUES}) @definition`,
  ],
  containers: [
    'class_declaration',
    'abstract_class_declaration',
    'class',
    'interface_declaration',
    'internal_module',
    'module',
  ],
  attachedToNext: ['decorator'],
};

const JAVASCRIPT: GrammarSpec = {
  wasmFile: 'tree-sitter-javascript.wasm',
  definitions: JAVASCRIPT_DEFINITIONS,
  definitionPatterns: [
    ...JAVASCRIPT_PATTERNS,
    `(field_definition property: (_) value: ${JS_FUNCTION_VALUES}) @definition`,
  ],
  containers: ['class_declaration', 'class'],
  attachedToNext: ['decorator'],
};

/** `f(int)` or `*f(int)`: a declarator that declares a function. */
const FUNCTION_DECLARATOR = '[(function_declarator) (pointer_declarator declarator: (function_declarator))]';

const C_FAMILY_PATTERNS: readonly string[] = [
  // Only specifiers with a body define a type; `struct stats *s` merely names one.
  '(struct_specifier name: (_) body: (_)) @definition',
  '(union_specifier name: (_) body: (_)) @definition',
  '(enum_specifier name: (_) body: (_)) @definition',
  // Method declarations in class bodies.
  `(field_declaration declarator: ${FUNCTION_DECLARATOR}) @definition`,
];

const C_FAMILY_SCOPED_PATTERNS = [
  // Prototypes, but only where declarations are global: inside a function, `Matrix out(rows, cols);` has the
  // same shape.
  {
    pattern: `(declaration declarator: ${FUNCTION_DECLARATOR}) @definition`,
    parents: [
      'translation_unit',
      'declaration_list',
      'preproc_if',
      'preproc_ifdef',
      'preproc_else',
      'preproc_elif',
    ],
  },
];

/**
 * tree-sitter-cpp parses C as well (C is nearly a subset), and no C grammar is bundled. C code that uses C++
 * keywords as identifiers gets local ERROR nodes; a file that is mostly errors falls back to line windows.
 */
const CPP: GrammarSpec = {
  wasmFile: 'tree-sitter-cpp.wasm',
  definitions: [
    'function_definition',
    'type_definition',
    'namespace_definition',
    'alias_declaration',
    'concept_definition',
  ],
  definitionPatterns: [...C_FAMILY_PATTERNS, '(class_specifier name: (_) body: (_)) @definition'],
  scopedDefinitionPatterns: C_FAMILY_SCOPED_PATTERNS,
  containers: ['class_specifier', 'struct_specifier', 'union_specifier'],
  attachedToNext: ['attribute_declaration'],
};

export const GRAMMARS: Readonly<Partial<Record<Language, GrammarSpec>>> = {
  typescript: TYPESCRIPT,
  tsx: { ...TYPESCRIPT, wasmFile: 'tree-sitter-tsx.wasm' },
  javascript: JAVASCRIPT,
  python: {
    wasmFile: 'tree-sitter-python.wasm',
    definitions: ['function_definition', 'class_definition'],
    containers: ['class_definition'],
    attachedToNext: [],
  },
  go: {
    wasmFile: 'tree-sitter-go.wasm',
    definitions: ['function_declaration', 'method_declaration', 'type_spec', 'type_alias'],
    // Methods are qualified by their receiver type instead (see symbols.ts).
    containers: [],
    attachedToNext: [],
  },
  java: {
    wasmFile: 'tree-sitter-java.wasm',
    definitions: [
      'class_declaration',
      'interface_declaration',
      'enum_declaration',
      'record_declaration',
      'annotation_type_declaration',
      'method_declaration',
      'constructor_declaration',
    ],
    containers: [
      'class_declaration',
      'interface_declaration',
      'enum_declaration',
      'record_declaration',
      'annotation_type_declaration',
    ],
    attachedToNext: [],
  },
  rust: {
    wasmFile: 'tree-sitter-rust.wasm',
    definitions: [
      'function_item',
      'function_signature_item',
      'struct_item',
      'enum_item',
      'union_item',
      'trait_item',
      'impl_item',
      'type_item',
      'mod_item',
      'macro_definition',
    ],
    containers: ['impl_item', 'trait_item'],
    attachedToNext: ['attribute_item'],
  },
  c: CPP,
  cpp: CPP,
  csharp: {
    wasmFile: 'tree-sitter-c-sharp.wasm',
    definitions: [
      'class_declaration',
      'struct_declaration',
      'interface_declaration',
      'enum_declaration',
      'record_declaration',
      'method_declaration',
      'constructor_declaration',
      'destructor_declaration',
      'delegate_declaration',
      'local_function_statement',
      'namespace_declaration',
      'file_scoped_namespace_declaration',
    ],
    containers: ['class_declaration', 'struct_declaration', 'interface_declaration', 'record_declaration'],
    attachedToNext: [],
  },
  ruby: {
    wasmFile: 'tree-sitter-ruby.wasm',
    definitions: ['method', 'singleton_method', 'class', 'module'],
    containers: ['class', 'module'],
    attachedToNext: [],
  },
  php: {
    wasmFile: 'tree-sitter-php.wasm',
    definitions: [
      'function_definition',
      'class_declaration',
      'interface_declaration',
      'trait_declaration',
      'enum_declaration',
      'method_declaration',
      'namespace_definition',
    ],
    containers: ['class_declaration', 'interface_declaration', 'trait_declaration', 'enum_declaration'],
    attachedToNext: ['attribute_list'],
  },
  bash: {
    wasmFile: 'tree-sitter-bash.wasm',
    definitions: ['function_definition'],
    containers: [],
    attachedToNext: [],
  },
  // No definitions, but rules and at-rules still make better chunks than line windows.
  css: {
    wasmFile: 'tree-sitter-css.wasm',
    definitions: [],
    containers: [],
    attachedToNext: [],
  },
};

/** The languages chunked along syntax. */
export const SYNTAX_LANGUAGES: readonly Language[] = Object.keys(GRAMMARS) as Language[];

export function grammarFor(language: Language): GrammarSpec | undefined {
  return GRAMMARS[language];
}
