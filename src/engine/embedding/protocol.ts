/**
 * Messages between the embedder (main thread) and its inference workers. Token ids and vectors travel as
 * typed arrays whose buffers are transferred, not copied.
 */

import type { WorkerReply as GenericWorkerReply } from '../workers/protocol.ts';
import type { Pooling } from './pooling.ts';

export type WorkerReply = GenericWorkerReply<ModelInfo>;

/** Passed as `workerData`: everything a worker needs to open the model on its own. */
export interface InferenceWorkerData {
  readonly modelPath: string;
  readonly tokenizerPath: string;
  readonly tokenizerConfigPath: string | undefined;
  readonly maxTokens: number;
  readonly pooling: Pooling;
  readonly normalize: boolean;
  readonly outputName: string | undefined;
  readonly intraOpNumThreads: number;
}

/** What a worker found in the graph, reported once it is ready; the main thread checks it against the config. */
export interface ModelInfo {
  readonly inputNames: readonly string[];
  readonly outputName: string;
  /** Rank of the chosen output: 2 = already pooled, 3 = per token. */
  readonly outputRank: number;
  /** Last dimension of the output, measured on a probe text. */
  readonly dimension: number;
}

/** Tokenize texts; the answer packs all ids in one array plus one length per text. */
export interface TokenizeRequest {
  readonly kind: 'tokenize';
  readonly texts: readonly string[];
}

/** A packed batch: `ids` is every sequence concatenated, `lengths[i]` the length of sequence i. */
export interface PackedSequences {
  readonly ids: Int32Array;
  readonly lengths: Int32Array;
}

/** Run one batch through the model. */
export interface InferRequest extends PackedSequences {
  readonly kind: 'infer';
}

export interface InferResult {
  readonly vectors: Float32Array[];
}

export type InferenceRequest = TokenizeRequest | InferRequest;
export type InferenceResult = PackedSequences | InferResult;

export type { WireError, WorkerTask } from '../workers/protocol.ts';
export { toWireError } from '../workers/protocol.ts';
