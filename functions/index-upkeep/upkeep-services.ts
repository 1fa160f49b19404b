/**
 * Index upkeep as a scheduled function (EventBridge, e.g. every 30 minutes, reserved concurrency 1), not a
 * step of the workers: many small push commits leave many fragments and versions behind, and upkeep — index
 * (re)builds, compaction, version cleanup — is heavier than a push and needs no model. It opens the current
 * index generation's chunk table with the model's id and dimension read from the model directory (no ONNX
 * session). After a model change that table starts empty, and upkeep queues the rebuild of every index the
 * generation lacks (see #adapters/aws/generation-rebuilds.ts).
 */
import { z } from 'zod';
import { type AwsClients, awsClients } from '#adapters/aws/clients.ts';
import { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import { DynamoRepoRegistry } from '#adapters/aws/dynamo-repo-registry.ts';
import {
  INDEX_AND_MODEL_ENVIRONMENT,
  lanceStorageOptions,
  readEnvironment,
} from '#adapters/aws/environment.ts';
import { environmentSchema } from '#adapters/aws/environment-contract.ts';
import { openGenerationChunkStore } from '#adapters/aws/generation-chunk-store.ts';
import { queueMissingIndexes, type RebuildReport } from '#adapters/aws/generation-rebuilds.ts';
import { modelDirectoryOf } from '#adapters/aws/model-from-s3.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import type { LanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { CHUNKER_VERSION } from '#engine/chunking/index.ts';
import { DEFAULT_MODEL_DIR, readModelDirectory } from '#engine/embedding/index.ts';

export const UpkeepEnvironment = z.object({
  ...INDEX_AND_MODEL_ENVIRONMENT,
  // What rebuilds after a model change read and write: every index's state, the registrations, the job queue.
  ...environmentSchema(
    ['indexStateTable', 'repositoriesTable', 'jobQueueUrl'],
    ['versionRetentionHours', 'vectorIndexMinRows'],
  ),
});

export interface UpkeepTarget {
  /** The index generation of the deployed model: its table is the one kept up. */
  readonly generation: string;
  readonly store: LanceChunkStore;
  readonly retainVersionsMs: number;
  /** Queues a sync for every index missing from the current generation that is not under way. */
  queueRebuilds(): Promise<RebuildReport>;
}

export async function openUpkeepTarget(
  environment?: NodeJS.ProcessEnv,
  clients: AwsClients = awsClients(),
): Promise<UpkeepTarget> {
  const env = readEnvironment(UpkeepEnvironment, environment);
  const model = await readModelDirectory(await modelDirectoryOf(env, DEFAULT_MODEL_DIR));
  const { store, generation } = await openGenerationChunkStore({
    uri: env.CODESEARCH_INDEX_URI,
    metadata: { modelId: model.modelId, dimension: model.config.dimension, chunkerVersion: CHUNKER_VERSION },
    storageOptions: lanceStorageOptions(env),
    vectorIndexMinRows: env.CODESEARCH_VECTOR_INDEX_MIN_ROWS,
  });
  const rebuilds = {
    state: new DynamoIndexStateStore(clients.documents, env.CODESEARCH_INDEX_STATE_TABLE, { generation }),
    registry: new DynamoRepoRegistry(clients.documents, env.CODESEARCH_REPOSITORIES_TABLE),
    queue: new SqsJobQueue(clients.sqs, env.CODESEARCH_JOB_QUEUE_URL),
  };
  return {
    generation,
    store,
    retainVersionsMs: (env.CODESEARCH_VERSION_RETENTION_HOURS ?? 168) * 3600_000,
    queueRebuilds: () => queueMissingIndexes(rebuilds),
  };
}
