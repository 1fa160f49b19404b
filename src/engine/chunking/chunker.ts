/**
 * The chunker: a pure function from a file to its chunks, once its grammars are loaded.
 *
 * Each file is parsed with its language's tree-sitter grammar and split along the tree (`syntax-split.ts`);
 * languages without a grammar and files the parser cannot make sense of are cut into overlapping line
 * windows instead (`line-windows.ts`). Both respect the same token cap, and both cut a line that is over
 * the cap by itself (minified code, data) into pieces.
 */
import { CodeSearchError } from '../errors.ts';
import type { Language } from '../languages.ts';
import type { Chunk } from '../types.ts';
import { toChunks } from './chunk-records.ts';
import { type GrammarSpec, grammarFor, SYNTAX_LANGUAGES } from './grammars.ts';
import { LineTable } from './line-table.ts';
import { lineWindows } from './line-windows.ts';
import {
  type ChunkerOptions,
  chunkerVersionFor,
  type ResolvedChunkerOptions,
  resolveChunkerOptions,
} from './options.ts';
import { isMostlyErrors, parseWithinBudget } from './parse.ts';
import type { Segment } from './segment.ts';
import { type Definition, DefinitionFinder } from './symbols.ts';
import { splitSyntaxTree } from './syntax-split.ts';
import { loadGrammar, type Parser, ParserClass, type SyntaxNode } from './tree-sitter-runtime.ts';

/** What the chunker needs to know about a file. `path` and `repo` only feed the chunk ids. */
export interface ChunkInput {
  readonly repo: string;
  readonly path: string;
  readonly language: Language;
  readonly text: string;
}

export interface Chunker {
  /** `CHUNKER_VERSION`, extended with any option that differs from the defaults. */
  readonly version: string;
  /**
   * Splits a file into chunks, in file order. Deterministic: the same input and options always give the
   * same chunks. Every non-blank line is in at least one chunk; blank and whitespace-only files give none.
   */
  chunk(file: ChunkInput): Chunk[];
  /**
   * Cuts a file into line windows, as for a language without a grammar: the fallback for a file whose
   * syntax-aware chunking ran out of time. Linear in the file's size.
   */
  chunkInWindows(file: ChunkInput): Chunk[];
  /** Running counts of how files were chunked, for logs and tests. */
  readonly stats: ChunkerStats;
  /** Frees the parsers and queries. The chunker cannot be used afterwards. */
  close(): void;
}

/** How many files took each path through the chunker. */
export interface ChunkerStats {
  /** Split along their syntax tree. */
  syntax: number;
  /** Languages without a grammar, cut into line windows. */
  noGrammar: number;
  /** The parse hit its work budget or time limit, or threw. */
  parseAborted: number;
  /** Parsed, but ERROR nodes covered most of the text. */
  mostlyErrors: number;
}

/**
 * Node types that the grammars' definition patterns match only in some shapes (`const f = () => …`, a C
 * struct with a body), counted as definitions when deciding what a split's leftovers are.
 */
const DEFINITION_WRAPPED_TYPES = [
  'lexical_declaration',
  'variable_declaration',
  'struct_specifier',
  'class_specifier',
  'enum_specifier',
];

/** A grammar ready to use: one parser and one definitions query per chunker, reused for every file. */
interface ReadyGrammar {
  readonly spec: GrammarSpec;
  readonly parser: Parser;
  readonly definitions: DefinitionFinder | undefined;
  readonly attachedToNext: ReadonlySet<string>;
  readonly definitionTypes: ReadonlySet<string>;
}

export class GrammarNotLoadedError extends CodeSearchError {}

/**
 * Creates a chunker, loading the tree-sitter grammars it needs: once per process, a few hundred ms for all.
 *
 * @example
 * const chunker = await createChunker();
 * const chunks = chunker.chunk({ repo: 'acme/api', path: 'src/app.ts', language: 'typescript', text });
 * chunker.close();
 */
export async function createChunker(options: ChunkerOptions = {}): Promise<Chunker> {
  const resolved = resolveChunkerOptions(options);
  const languages = [...new Set(options.languages ?? SYNTAX_LANGUAGES)];
  // One parser per grammar file: `c` and `cpp` share one.
  const specs = new Map<string, GrammarSpec>();
  for (const language of languages) {
    const spec = grammarFor(language);
    if (spec) specs.set(spec.wasmFile, spec);
  }
  const files = [...specs.keys()];
  const results = await Promise.allSettled(
    [...specs.values()].map((spec) => prepareGrammar(spec, options.wasmDirectory)),
  );
  const prepared = new Map<string, ReadyGrammar>();
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') prepared.set(files[i] as string, result.value);
  });
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    for (const grammar of prepared.values()) release(grammar);
    throw new CodeSearchError('could not load the tree-sitter grammars', { cause: failure.reason });
  }
  const ready = new Map<Language, ReadyGrammar>();
  for (const language of languages) {
    const grammar = prepared.get(grammarFor(language)?.wasmFile ?? '');
    if (grammar) ready.set(language, grammar);
  }
  return new TreeSitterChunker(resolved, ready);
}

async function prepareGrammar(spec: GrammarSpec, wasmDirectory: string | undefined): Promise<ReadyGrammar> {
  const grammar = await loadGrammar(spec.wasmFile, wasmDirectory);
  const parser = new ParserClass();
  parser.setLanguage(grammar);
  return {
    spec,
    parser,
    definitions: DefinitionFinder.create(grammar, spec),
    attachedToNext: new Set(spec.attachedToNext),
    definitionTypes: new Set([...spec.definitions, ...spec.containers, ...DEFINITION_WRAPPED_TYPES]),
  };
}

function release(grammar: ReadyGrammar): void {
  grammar.parser.delete();
}

class TreeSitterChunker implements Chunker {
  readonly version: string;
  readonly stats: ChunkerStats = { syntax: 0, noGrammar: 0, parseAborted: 0, mostlyErrors: 0 };
  private readonly options: ResolvedChunkerOptions;
  private readonly grammars: Map<Language, ReadyGrammar>;
  private closed = false;

  constructor(options: ResolvedChunkerOptions, grammars: Map<Language, ReadyGrammar>) {
    this.options = options;
    this.grammars = grammars;
    this.version = chunkerVersionFor(options);
  }

  chunk(file: ChunkInput): Chunk[] {
    if (this.closed) throw new CodeSearchError('chunker is closed');
    const lines = new LineTable(file.text);
    if (lines.lineCount === 0) return [];
    const grammar = this.grammars.get(file.language);
    if (!grammar && grammarFor(file.language)) {
      throw new GrammarNotLoadedError(
        `the ${file.language} grammar was not loaded (see ChunkerOptions.languages)`,
      );
    }
    let parsed: { segments: Segment[]; definitions: Definition[] } | undefined;
    if (!grammar) this.stats.noGrammar++;
    else parsed = this.chunkSyntax(grammar, lines);
    const { segments, definitions } = parsed ?? { segments: this.chunkWindows(lines), definitions: [] };
    return toChunks(file, lines, segments, definitions);
  }

  chunkInWindows(file: ChunkInput): Chunk[] {
    if (this.closed) throw new CodeSearchError('chunker is closed');
    const lines = new LineTable(file.text);
    return lines.lineCount === 0 ? [] : toChunks(file, lines, this.chunkWindows(lines), []);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const grammar of new Set(this.grammars.values())) release(grammar);
    this.grammars.clear();
  }

  /** Segments along the syntax tree, or undefined when the file should be chunked in windows instead. */
  private chunkSyntax(
    grammar: ReadyGrammar,
    lines: LineTable,
  ): { segments: Segment[]; definitions: Definition[] } | undefined {
    const tree = parseWithinBudget(grammar.parser, lines.text, this.options.parseTimeoutMs);
    if (!tree) {
      this.stats.parseAborted++;
      return undefined;
    }
    try {
      const root = tree.rootNode;
      if (isMostlyErrors(root, lines.text.length)) {
        this.stats.mostlyErrors++;
        return undefined;
      }
      this.stats.syntax++;
      const segments = splitSyntaxTree(lines, root, {
        maxTokens: this.options.maxTokens,
        minTokens: this.options.minTokens,
        isAttachedToNext: (node: SyntaxNode) =>
          node.type.includes('comment') || grammar.attachedToNext.has(node.type),
        isDefinition: (node: SyntaxNode) => grammar.definitionTypes.has(node.type),
      });
      const definitions = grammar.definitions?.find(root) ?? [];
      return { segments, definitions };
    } finally {
      tree.delete();
    }
  }

  private chunkWindows(lines: LineTable): Segment[] {
    const segments: Segment[] = [];
    lineWindows(
      lines,
      0,
      lines.lineCount - 1,
      {
        maxTokens: this.options.maxTokens,
        maxLines: this.options.windowLines,
        overlapLines: this.options.overlapLines,
      },
      segments,
    );
    return segments;
  }
}
