/**
 * The ONNX embedder: loads any standard sentence-embedding export (model.onnx + tokenizer.json +
 * codesearch-model.json) and runs it in worker threads so the caller's event loop stays responsive.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, InvalidRequestError, ModelLoadError } from '../errors.ts';
import type { Embedder, EmbedderStats } from '../types.ts';
import { WorkerPool, WorkerStartError } from '../workers/worker-pool.ts';
import { planBatches, TokenizedTexts } from './batching.ts';
import { planWorkers, usableCpuCount } from './cpu-budget.ts';
import { EmbeddingError } from './embedding-error.ts';
import type { ModelDirectory } from './model-directory.ts';
import { readModelDirectory } from './model-directory.ts';
import type {
  InferenceRequest,
  InferenceResult,
  InferenceWorkerData,
  InferResult,
  ModelInfo,
  PackedSequences,
} from './protocol.ts';

/** Absolute path of the bundled default model (`models/default` at the repository root). */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../../models/default', import.meta.url));

export const DEFAULT_BATCH_SIZE = 32;

/** Batches queued per worker: one running and one ready, so a worker never waits for the main thread. */
const BATCHES_IN_FLIGHT_PER_WORKER = 2;

/** Largest number of texts sent to one worker in a single tokenize task. */
const MAX_TEXTS_PER_TOKENIZE_TASK = 256;

const WORKER_URL = new URL('./worker.ts', import.meta.url);

/**
 * Names the worker script when the embedder runs from a bundle: a bundler inlines this module, so
 * `./worker.ts` beside it no longer exists, and the deployment ships the worker as a file of its own.
 */
export const EMBEDDING_WORKER_ENV = 'CODESEARCH_EMBEDDING_WORKER';

function workerUrl(script: string | URL | undefined): URL {
  const chosen = script ?? process.env[EMBEDDING_WORKER_ENV];
  if (chosen === undefined || chosen === '') return WORKER_URL;
  return chosen instanceof URL ? chosen : pathToFileURL(chosen);
}

export interface OnnxEmbedderOptions {
  /**
   * Directory holding `model.onnx`, `tokenizer.json`, `codesearch-model.json` (and optionally
   * `tokenizer_config.json`).
   * @default DEFAULT_MODEL_DIR
   */
  readonly modelDir?: string;
  /**
   * Worker threads, each with its own session.
   * @default one per usable CPU, at most 4 (usable = availableParallelism capped by the cgroup v2 quota)
   */
  readonly workers?: number;
  /**
   * onnxruntime intra-op threads per worker.
   * @default usable CPUs / workers, at least 1
   */
  readonly threadsPerWorker?: number;
  /**
   * Texts per model invocation.
   * @default 32
   */
  readonly batchSize?: number;
  /**
   * The inference worker script, for bundled deployments that ship it as a separate file.
   * @default `$CODESEARCH_EMBEDDING_WORKER` if set, else `./worker.ts` beside this module
   */
  readonly workerScript?: string | URL;
}

/** An {@link Embedder} backed by onnxruntime, with the settings it resolved. */
export interface OnnxEmbedder extends Embedder {
  readonly modelDir: string;
  readonly workers: number;
  readonly threadsPerWorker: number;
  readonly batchSize: number;
  readonly maxTokens: number;
}

function positiveInteger(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new ConfigError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function checkTexts(texts: readonly unknown[]): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) throw new InvalidRequestError('texts to embed must be an array of strings');
  const issues = texts.flatMap((text, i) =>
    typeof text === 'string'
      ? []
      : [{ path: `texts[${i}]`, message: `expected a string, got ${typeof text}` }],
  );
  if (issues.length > 0) {
    throw new InvalidRequestError(`texts to embed must be strings (${issues.length} are not)`, issues);
  }
}

function checkModelInfo(model: ModelDirectory, info: ModelInfo): void {
  const { config } = model;
  if (info.dimension !== config.dimension) {
    throw new ModelLoadError(
      `${model.modelPath}: output "${info.outputName}" has dimension ${info.dimension}, ` +
        `but codesearch-model.json says dimension ${config.dimension}`,
    );
  }
}

/**
 * Loads the model in `modelDir` into a pool of worker threads and returns an {@link Embedder}.
 * @throws ModelLoadError if files are missing, the config is invalid, or the graph does not match the config.
 * @throws ConfigError if an option is not a positive integer.
 * @example
 * const embedder = await createOnnxEmbedder({ modelDir: DEFAULT_MODEL_DIR });
 * try {
 *   const [vector] = await embedder.embedDocuments(['function retry() {}']);
 * } finally {
 *   await embedder.close();
 * }
 */
export async function createOnnxEmbedder(options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
  const batchSize = positiveInteger('batchSize', options.batchSize) ?? DEFAULT_BATCH_SIZE;
  const plan = planWorkers(usableCpuCount(), {
    workers: positiveInteger('workers', options.workers),
    threadsPerWorker: positiveInteger('threadsPerWorker', options.threadsPerWorker),
  });
  const model = await readModelDirectory(options.modelDir ?? DEFAULT_MODEL_DIR);
  const { config } = model;

  const workerData: InferenceWorkerData = {
    modelPath: model.modelPath,
    tokenizerPath: model.tokenizerPath,
    tokenizerConfigPath: model.tokenizerConfigPath,
    maxTokens: config.maxTokens,
    pooling: config.pooling,
    normalize: config.normalize,
    outputName: config.outputName,
    intraOpNumThreads: plan.threadsPerWorker,
  };
  let started: { pool: WorkerPool<InferenceRequest, InferenceResult, ModelInfo>; infos: ModelInfo[] };
  try {
    started = await WorkerPool.start({
      size: plan.workers,
      workerUrl: workerUrl(options.workerScript),
      workerData,
      name: 'embedding worker',
      errorClass: EmbeddingError,
    });
  } catch (error) {
    if (!(error instanceof WorkerStartError)) throw error;
    throw new ModelLoadError(`Could not load model ${model.dir}: ${error.message}`, { cause: error });
  }
  const { pool, infos } = started;
  try {
    for (const info of infos) checkModelInfo(model, info);
  } catch (error) {
    await pool.close();
    throw error;
  }

  const stats: EmbedderStats = { texts: 0, batches: 0 };
  let closed = false;

  const tokenize = (texts: readonly string[]) =>
    pool.run({ kind: 'tokenize', texts }) as Promise<PackedSequences>;
  const infer = (packed: PackedSequences) =>
    pool.run(
      { kind: 'infer', ...packed },
      { transfer: [packed.ids.buffer as ArrayBuffer, packed.lengths.buffer as ArrayBuffer] },
    ) as Promise<InferResult>;

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (closed) throw new EmbeddingError('the embedder is closed');
    if (texts.length === 0) return [];

    // Tokenise in parallel across workers, then sort by length over the whole call so that batches pad little.
    const perTask = Math.min(MAX_TEXTS_PER_TOKENIZE_TASK, Math.ceil(texts.length / pool.size));
    const tasks: Promise<PackedSequences>[] = [];
    for (let i = 0; i < texts.length; i += perTask) tasks.push(tokenize(texts.slice(i, i + perTask)));
    const tokenized = new TokenizedTexts();
    for (const part of await Promise.all(tasks)) tokenized.append(part);

    // Batches are packed just before they are sent, a few per worker at a time, rather than all at once:
    // packing thousands of texts in one go would hold the caller's event loop for several milliseconds.
    const batches = planBatches(tokenized.lengths, batchSize);
    const vectors = new Array<Float32Array>(texts.length);
    let next = 0;
    const feedWorkers = async (): Promise<void> => {
      for (let indices = batches[next++]; indices !== undefined; indices = batches[next++]) {
        const result = await infer(tokenized.pack(indices)).catch((error: unknown) => {
          next = batches.length; // one batch failed, so the call fails: send no more work
          throw error;
        });
        stats.batches += 1;
        stats.texts += indices.length;
        if (result.vectors.length !== indices.length) {
          throw new EmbeddingError(
            `the model returned ${result.vectors.length} vectors for ${indices.length} texts`,
          );
        }
        for (const [k, textIndex] of indices.entries()) {
          vectors[textIndex] = result.vectors[k] as Float32Array;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(batches.length, pool.size * BATCHES_IN_FLIGHT_PER_WORKER) }, feedWorkers),
    );
    return vectors;
  }

  return {
    modelId: model.modelId,
    dimension: config.dimension,
    modelDir: model.dir,
    workers: plan.workers,
    threadsPerWorker: plan.threadsPerWorker,
    batchSize,
    maxTokens: config.maxTokens,
    ...(config.hybrid
      ? {
          fusion: {
            k: config.hybrid.k,
            vectorWeight: config.hybrid.vectorWeight,
            keywordWeight: config.hybrid.keywordWeight,
          },
        }
      : {}),
    ...(config.hybrid?.ranker ? { hybridRanker: config.hybrid.ranker } : {}),
    ...(config.vectorRanker ? { vectorRanker: config.vectorRanker } : {}),
    ...(config.windowRescoring ? { windowRescoring: config.windowRescoring } : {}),
    stats,
    async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
      checkTexts(texts);
      return embed(config.documentPrefix ? texts.map((t) => config.documentPrefix + t) : texts);
    },
    async embedQuery(text: string): Promise<Float32Array> {
      if (typeof text !== 'string') {
        throw new InvalidRequestError(`the query must be a string, got ${typeof text}`);
      }
      const [vector] = await embed([config.queryPrefix + text]);
      if (!vector) throw new EmbeddingError('the model returned no vector for the query');
      return vector;
    },
    async close(): Promise<void> {
      closed = true;
      await pool.close();
    },
  };
}
