/**
 * Builds everything the index worker needs from its environment, once per container: the ONNX embedder and
 * the chunker, the current index generation's LanceDB chunk table on S3 and its DynamoDB state, GitHub behind
 * the cached token (or a GitHub App's installation token), and the queues. Tests build the same
 * `IndexWorkerDeps` from emulators instead.
 */
import { z } from 'zod';
import type { AwsClients } from '#adapters/aws/clients.ts';
import { DynamoEmbeddingCache } from '#adapters/aws/dynamo-embedding-cache.ts';
import { DynamoFileHashStore } from '#adapters/aws/dynamo-file-hash-store.ts';
import { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import {
  INDEX_AND_MODEL_ENVIRONMENT,
  lanceStorageOptions,
  readEnvironment,
} from '#adapters/aws/environment.ts';
import { environmentSchema } from '#adapters/aws/environment-contract.ts';
import { openGenerationChunkStore } from '#adapters/aws/generation-chunk-store.ts';
import { githubTokenSecret } from '#adapters/aws/github-token-secret.ts';
import { modelDirectoryOf } from '#adapters/aws/model-from-s3.ts';
import { SqsDeadLetterQueue, SqsVisibility } from '#adapters/aws/sqs-dead-letters.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { GitHubApi } from '#adapters/github/github-api.ts';
import { GitHubSource } from '#adapters/github/github-source.ts';
import { githubTokenProvider } from '#adapters/github/github-token-provider.ts';
import { createWorkerChunker } from '#engine/chunking/index.ts';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR } from '#engine/embedding/index.ts';
import type { FileChunker } from '#engine/indexing/apply-file-changes.ts';
import { cachedSecret } from '#engine/pipeline/cached-secret.ts';
import { DEFAULT_PIPELINE_SETTINGS, type PipelineSettings } from '#engine/pipeline/pipeline-deps.ts';
import type { PipelineLog } from '#engine/pipeline/ports.ts';
import type { Embedder } from '#engine/types.ts';
import type { IndexWorkerDeps } from './worker-handler.ts';

export const WorkerEnvironment = z.object({
  ...INDEX_AND_MODEL_ENVIRONMENT,
  ...environmentSchema(
    [
      'jobQueueUrl',
      'deadLetterQueueUrl',
      'fileHashesTable',
      'embeddingCacheTable',
      'indexStateTable',
      'githubTokenSecret',
    ],
    ['githubApiUrl', 'batchFiles', 'maxReceives', 'embedderWorkers'],
  ),
});
export type WorkerEnvironment = z.infer<typeof WorkerEnvironment>;

export interface OpenedWorker {
  readonly deps: IndexWorkerDeps;
  close(): Promise<void>;
}

export interface WorkerOverrides {
  /** Tests with many worker instances share one embedder (one ONNX session) instead of one each. */
  readonly embedder?: Embedder;
  /** Tests with many worker instances share one (loading the grammars takes a few hundred ms). */
  readonly chunker?: FileChunker & { readonly version: string };
  readonly settings?: Partial<PipelineSettings>;
}

export async function openIndexWorker(
  clients: AwsClients,
  log: PipelineLog,
  environment?: NodeJS.ProcessEnv,
  overrides: WorkerOverrides = {},
): Promise<OpenedWorker> {
  const env = readEnvironment(WorkerEnvironment, environment);
  const embedder =
    overrides.embedder ??
    (await createOnnxEmbedder({
      modelDir: await modelDirectoryOf(env, DEFAULT_MODEL_DIR),
      workers: env.CODESEARCH_EMBEDDER_WORKERS,
    }));
  const { chunker, close: closeChunker } = await openChunker(overrides.chunker);
  // The current generation's table, file hashes and index state: a new model starts them all from nothing.
  const { store, generation } = await openGenerationChunkStore({
    uri: env.CODESEARCH_INDEX_URI,
    metadata: { modelId: embedder.modelId, dimension: embedder.dimension, chunkerVersion: chunker.version },
    storageOptions: lanceStorageOptions(env),
  });
  const fileHashes = new DynamoFileHashStore(clients.documents, env.CODESEARCH_FILE_HASH_TABLE, {
    generation,
  });
  // Refuses the stack's placeholder with a reason that says what to do, instead of a 401 from GitHub. The
  // secret holds a token, or a GitHub App's credentials that the provider trades for installation tokens.
  const token = githubTokenProvider(
    cachedSecret(githubTokenSecret(clients.secrets, env.CODESEARCH_GITHUB_TOKEN_SECRET_ID)),
    { baseUrl: env.CODESEARCH_GITHUB_API_URL },
  );
  const github = new GitHubApi({ token, baseUrl: env.CODESEARCH_GITHUB_API_URL });
  const state = new DynamoIndexStateStore(clients.documents, env.CODESEARCH_INDEX_STATE_TABLE, {
    generation,
  });
  const visibility = new SqsVisibility(clients.sqs, env.CODESEARCH_JOB_QUEUE_URL);
  const deps: IndexWorkerDeps = {
    pipeline: {
      chunker,
      chunkerVersion: chunker.version,
      embedder,
      cache: new DynamoEmbeddingCache(clients.documents, env.CODESEARCH_EMBEDDING_CACHE_TABLE),
      fileHashes,
      fileLookup: fileHashes,
      store,
      source: new GitHubSource(github),
      state,
      queue: new SqsJobQueue(clients.sqs, env.CODESEARCH_JOB_QUEUE_URL),
      log,
      settings: {
        ...DEFAULT_PIPELINE_SETTINGS,
        batchFiles: env.CODESEARCH_BATCH_FILES ?? DEFAULT_PIPELINE_SETTINGS.batchFiles,
        ...overrides.settings,
      },
    },
    deadLetters: new SqsDeadLetterQueue(clients.sqs, env.CODESEARCH_DEAD_LETTER_QUEUE_URL),
    delay: (receipt, ms) => visibility.delay(receipt, ms),
    recordError: (index, message) => state.recordError(index, message),
    maxReceives: env.CODESEARCH_MAX_RECEIVES ?? 5,
  };
  return {
    deps,
    async close() {
      await store.close();
      await closeChunker();
      if (!overrides.embedder) await embedder.close();
    },
  };
}

/**
 * The chunker: in a worker thread with a per-file deadline, so that a hostile file cannot hold the invocation
 * until its timeout; or the one a test shares (which that test closes).
 */
async function openChunker(
  shared: WorkerOverrides['chunker'],
): Promise<{ chunker: NonNullable<WorkerOverrides['chunker']>; close(): Promise<void> }> {
  if (shared) return { chunker: shared, close: async () => {} };
  const own = await createWorkerChunker();
  return { chunker: own, close: () => own.close() };
}
