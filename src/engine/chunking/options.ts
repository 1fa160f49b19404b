/**
 * Chunker options, their defaults, and the version string that identifies the chunks they produce.
 */
import { ConfigError } from '../errors.ts';
import type { Language } from '../languages.ts';

/**
 * Identifies the chunker's output for the embedding cache and the index metadata. Bump it whenever the
 * same input can produce different chunks: the algorithm, the token estimate, a grammar's definitions, or
 * the `@vscode/tree-sitter-wasm` version (its grammars shape the chunks). The tests check the last one.
 */
export const CHUNKER_VERSION = 'codesearch-chunker/1';

/** The `@vscode/tree-sitter-wasm` version `CHUNKER_VERSION` was set for. */
export const GRAMMAR_PACKAGE_VERSION = '0.3.1';

export interface ChunkerOptions {
  /**
   * Largest chunk, in estimated tokens (see `estimateTokens`). Every chunk respects it: a line that is
   * over it by itself is the one thing cut mid-line, into pieces that keep its line number.
   * @default 400
   */
  readonly maxTokens?: number;
  /**
   * Neighbouring definitions and statements smaller than this merge into one chunk (up to `maxTokens`)
   * rather than each being a chunk of their own.
   * @default 60
   */
  readonly minTokens?: number;
  /**
   * Lines per window where there is no syntax to follow (languages without a grammar, unparsable files).
   * @default 50
   */
  readonly windowLines?: number;
  /**
   * Lines each window repeats from the one before it (at most half a window).
   * @default 10
   */
  readonly overlapLines?: number;
  /**
   * Grammars to load at start-up. Chunking a language that has a grammar but is not listed throws, so that
   * the same file can never be chunked two ways under one version.
   * @default every language with a grammar
   */
  readonly languages?: readonly Language[];
  /**
   * Wall-clock limit for one parse, a backstop behind the deterministic work budget: a file whose parse
   * exceeds either is chunked in line windows.
   * @default 5000
   */
  readonly parseTimeoutMs?: number;
  /**
   * Folder holding `tree-sitter.wasm` and the grammar files, for deployments that copy them out of
   * node_modules (a bundled Lambda function).
   * @default the `wasm/` folder of the installed `@vscode/tree-sitter-wasm`
   */
  readonly wasmDirectory?: string;
}

export interface ResolvedChunkerOptions {
  readonly maxTokens: number;
  readonly minTokens: number;
  readonly windowLines: number;
  readonly overlapLines: number;
  readonly parseTimeoutMs: number;
}

export const DEFAULT_CHUNKER_OPTIONS: ResolvedChunkerOptions = {
  maxTokens: 400,
  minTokens: 60,
  windowLines: 50,
  overlapLines: 10,
  parseTimeoutMs: 5000,
};

/** Fills in defaults and rejects values that cannot work, naming the option. */
export function resolveChunkerOptions(options: ChunkerOptions = {}): ResolvedChunkerOptions {
  const resolved: ResolvedChunkerOptions = {
    maxTokens: options.maxTokens ?? DEFAULT_CHUNKER_OPTIONS.maxTokens,
    minTokens: options.minTokens ?? DEFAULT_CHUNKER_OPTIONS.minTokens,
    windowLines: options.windowLines ?? DEFAULT_CHUNKER_OPTIONS.windowLines,
    overlapLines: options.overlapLines ?? DEFAULT_CHUNKER_OPTIONS.overlapLines,
    parseTimeoutMs: options.parseTimeoutMs ?? DEFAULT_CHUNKER_OPTIONS.parseTimeoutMs,
  };
  const problems: string[] = [];
  if (!Number.isInteger(resolved.maxTokens) || resolved.maxTokens < 1)
    problems.push('maxTokens must be an integer ≥ 1');
  if (
    !Number.isInteger(resolved.minTokens) ||
    resolved.minTokens < 0 ||
    resolved.minTokens > resolved.maxTokens
  ) {
    problems.push('minTokens must be an integer between 0 and maxTokens');
  }
  if (!Number.isInteger(resolved.windowLines) || resolved.windowLines < 1)
    problems.push('windowLines must be an integer ≥ 1');
  if (
    !Number.isInteger(resolved.overlapLines) ||
    resolved.overlapLines < 0 ||
    resolved.overlapLines >= resolved.windowLines
  ) {
    problems.push('overlapLines must be an integer ≥ 0 and below windowLines');
  }
  if (!(resolved.parseTimeoutMs > 0)) problems.push('parseTimeoutMs must be > 0');
  if (problems.length > 0) throw new ConfigError(`invalid chunker options: ${problems.join('; ')}`);
  return resolved;
}

/**
 * `CHUNKER_VERSION`, plus the options that change the output when they differ from the defaults, so an
 * index built with other sizes never shares cache entries or metadata with a default one.
 */
export function chunkerVersionFor(options: ResolvedChunkerOptions): string {
  const keys = ['maxTokens', 'minTokens', 'windowLines', 'overlapLines'] as const;
  const changed = keys.filter((key) => options[key] !== DEFAULT_CHUNKER_OPTIONS[key]);
  return changed.length === 0
    ? CHUNKER_VERSION
    : `${CHUNKER_VERSION};${changed.map((key) => `${key}=${options[key]}`).join(',')}`;
}
