/**
 * The engine's vocabulary and the small interfaces its stores implement. Nothing here knows about AWS:
 * adapters (local or cloud) implement these, entry points wire them.
 */
import type { Language } from './languages.ts';
import type { SearchFilter } from './search/filters.ts';
import type { RankerFeature } from './search/ranker-features.ts';

/** A file found by discovery, read and ready to chunk. `path` is POSIX, relative to the indexed root. */
export interface SourceFile {
  readonly path: string;
  readonly language: Language;
  readonly size: number;
  /** sha256 of the file's bytes, hex. */
  readonly hash: string;
  readonly text: string;
}

export type SkipReason =
  | 'too-large'
  | 'binary'
  | 'invalid-utf8'
  | 'minified'
  | 'generated'
  | 'lockfile'
  | 'unsupported-type'
  | 'unreadable'
  | 'empty'
  /** Read, but neither its syntax nor line windows could be cut within the per-file deadline. */
  | 'chunking-failed';

/** A file discovery looked at and left out, with the reason. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: SkipReason;
  /** Human-readable detail, e.g. "2.3 MB > 1 MB limit" or the OS error code. */
  readonly detail: string;
}

/** A piece of a file that is embedded and searched as one unit. Lines are 1-based and inclusive. */
export interface Chunk {
  /** Stable: the same repo, path, line range and content always give the same id. */
  readonly id: string;
  readonly repo: string;
  readonly path: string;
  readonly language: Language;
  readonly startLine: number;
  readonly endLine: number;
  /** Names of the definitions (functions, classes, methods, types…) that start inside this chunk. */
  readonly symbols: readonly string[];
  readonly content: string;
  /** sha256 of `content`, hex. */
  readonly contentHash: string;
}

export interface EmbeddedChunk extends Chunk {
  readonly vector: Float32Array;
  /** For a model that re-scores by windows: its parts' vectors, computed with the chunk's (embed-with-cache.ts). */
  readonly parts?: ChunkParts;
}

/** A part's vector as stored: int8 (cosine does not depend on scale) or as the model gave it. */
export type PartVector = Float32Array | Int8Array;

/**
 * The vectors search compares a query with besides the chunk's own: one per window of lines (as
 * `WindowRescoring` cuts them) and one of its definitions' names. Computed at index time, so a query never
 * waits for its candidates to be embedded.
 */
export interface ChunkParts {
  readonly windows: readonly PartVector[];
  /** Absent when the chunk defines no names. */
  readonly name?: PartVector;
}

/** Turns text into vectors. Implementations must keep the caller's event loop responsive. */
export interface Embedder {
  /** Identifies the model's weights and tokenizer; recorded in the index and checked on open. */
  readonly modelId: string;
  readonly dimension: number;
  /** Embeds code chunks (with the model's document prefix, if it has one). One vector per text, same order. */
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
  /** Embeds a search query (with the model's query prefix, if it has one). */
  embedQuery(text: string): Promise<Float32Array>;
  /** Running counts, so callers and tests can see how much work reached the model. */
  readonly stats: EmbedderStats;
  /**
   * How hybrid search should weigh this model's ranking against the keyword ranking, when the model says
   * (a model tuned together with BM25 knows best). Absent: equal weights, k = 60.
   */
  readonly fusion?: HybridFusion;
  /** When the model asks for it: re-score vector candidates by their best window of lines. */
  readonly windowRescoring?: WindowRescoring;
  /**
   * When the model ships one (it needs window re-scoring too): hybrid search orders the best candidates of
   * both sides with this learned ranker instead of rank fusion (search/hybrid-ranker.ts).
   */
  readonly hybridRanker?: HybridRanker;
  /**
   * When the model ships one (it needs window re-scoring too): vector search orders its best candidates with
   * this learned ranker — the model's own evidence and what part each chunk plays (a test, an example), never
   * the keyword index (search/hybrid-ranker.ts).
   */
  readonly vectorRanker?: HybridRanker;
  close(): Promise<void>;
}

/**
 * A chunk's vector is the pooled meaning of everything in it, so a query about one method of a long class
 * matches it weakly. Re-scoring embeds the candidates' windows of `windowLines` lines (each with
 * `contextLines` lines before it) and scores a chunk by its best window.
 */
export interface WindowRescoring {
  readonly windowLines: number;
  readonly contextLines: number;
  /** Candidates re-scored per side (the rest keep their order behind them). */
  readonly depth: number;
}

/** Weighted Reciprocal Rank Fusion: score = Σ weight / (k + rank), rank counted from 1. */
export interface HybridFusion {
  /** RRF's k: larger values flatten the difference between ranks. */
  readonly k: number;
  readonly vectorWeight: number;
  readonly keywordWeight: number;
}

/**
 * A linear ranker over features of a (query, candidate) pair that mix the model's evidence (window and name
 * cosines) with the keyword side's (BM25 score and rank) and simple lexical coverage; fit by the model's
 * training with a listwise softmax loss. score = Σ weights[i] · (x[i] − center[i]) / scale[i].
 */
export interface HybridRanker {
  readonly features: readonly RankerFeature[];
  readonly center: readonly number[];
  readonly scale: readonly number[];
  readonly weights: readonly number[];
}

export interface EmbedderStats {
  /** Texts sent through the model (documents + queries). */
  texts: number;
  /** Model invocations (batches). */
  batches: number;
}

/** Vectors by cache key; keys are content-addressed (model id, chunker version, text hash). */
export interface EmbeddingCache {
  getMany(keys: readonly string[]): Promise<Map<string, Float32Array>>;
  putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void>;
}

/** What the index last saw of one file. */
export interface FileRecord {
  readonly path: string;
  readonly hash: string;
  readonly chunkCount: number;
  readonly indexedAt: string;
}

/** Per (repo, path) hashes, so re-indexing skips unchanged files. */
export interface FileHashStore {
  listFiles(repo: string): Promise<Map<string, FileRecord>>;
  /** Records new hashes and forgets deleted paths, atomically. Called only after the chunks are committed. */
  applyChanges(repo: string, upserts: readonly FileRecord[], deletedPaths: readonly string[]): Promise<void>;
}

/** What an index was built with. Opening it with anything else is an error, never mixed vectors. */
export interface IndexMetadata {
  readonly modelId: string;
  readonly dimension: number;
  readonly chunkerVersion: string;
}

/** A chunk as it comes back from a store query, with the raw score of that query. */
export interface StoredChunk {
  readonly id: string;
  readonly repo: string;
  readonly path: string;
  readonly language: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly symbols: readonly string[];
  readonly content: string;
  /** Its parts' vectors, when the index holds them (search results of a window-re-scoring model). */
  readonly parts?: ChunkParts;
}

export interface ScoredChunk {
  readonly chunk: StoredChunk;
  /** Vector side: cosine similarity in [-1, 1]. Keyword side: BM25 score (≥ 0). */
  readonly score: number;
}

/** The chunk table: one row per chunk, with its vector and keyword text. */
export interface ChunkStore {
  readonly metadata: IndexMetadata;
  /**
   * Makes `chunks` the complete set of chunks for `paths` in `repo`, in ONE commit: rows of those paths that
   * are not in `chunks` are deleted (so a path with no chunks is removed), new rows are inserted, rows whose
   * id is unchanged are left alone. A crash leaves either the old or the new state, never half.
   */
  replaceFiles(repo: string, paths: readonly string[], chunks: readonly EmbeddedChunk[]): Promise<void>;
  /** Removes every chunk of a repository. */
  deleteRepo(repo: string): Promise<void>;
  vectorSearch(vector: Float32Array, filter: SearchFilter, limit: number): Promise<ScoredChunk[]>;
  keywordSearch(text: string, filter: SearchFilter, limit: number): Promise<ScoredChunk[]>;
  countChunks(repo?: string): Promise<number>;
  /** Chunks matching the filter in no particular order (e.g. the definitions of a symbol), at most `limit`. */
  listChunks(filter: SearchFilter, limit: number): Promise<StoredChunk[]>;
  /** Every chunk of one file, by start line (the context around a line). */
  fileChunks(repo: string, path: string): Promise<StoredChunk[]>;
  /** The stored vector of a chunk (code similar to an indexed location), or undefined if it is gone. */
  chunkVector(id: string): Promise<Float32Array | undefined>;
  /** Chunks per repository. */
  repoChunkCounts(): Promise<Map<string, number>>;
  /** Changes with every commit to the data: result caches key on it so they never serve a stale index. */
  dataVersion(): Promise<string>;
  /** Builds or refreshes indexes after bulk writes (full-text, scalar, and vector once there are enough rows). */
  optimize(): Promise<void>;
  close(): Promise<void>;
}
