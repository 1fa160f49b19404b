import { CodeSearchError } from '../errors.ts';

/**
 * Embedding failed after the model had loaded: a worker crashed, the runtime rejected a batch, or the
 * embedder was closed while work was pending. Not exposed to HTTP callers (it is a server-side failure).
 */
export class EmbeddingError extends CodeSearchError {}
