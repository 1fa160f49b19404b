/**
 * Chunking: files in, search-sized chunks out, along functions, classes and methods where a tree-sitter
 * grammar exists and in overlapping line windows elsewhere.
 */
export {
  type Chunker,
  type ChunkerStats,
  type ChunkInput,
  createChunker,
  GrammarNotLoadedError,
} from './chunker.ts';
export { SYNTAX_LANGUAGES } from './grammars.ts';
export {
  CHUNKER_VERSION,
  type ChunkerOptions,
  DEFAULT_CHUNKER_OPTIONS,
  GRAMMAR_PACKAGE_VERSION,
} from './options.ts';
export { estimateTokens } from './token-estimate.ts';
export {
  type AsyncChunker,
  CHUNKING_WORKER_ENV,
  ChunkingFailedError,
  createWorkerChunker,
  type WorkerChunkerOptions,
} from './worker-chunker.ts';
