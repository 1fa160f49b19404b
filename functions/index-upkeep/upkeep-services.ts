/**
 * Index upkeep as a scheduled function (EventBridge, e.g. every 30 minutes, reserved concurrency 1), not a
 * step of the workers: many small push commits leave many fragments and versions behind, and upkeep — index
 * (re)builds, compaction, version cleanup — is heavier than a push and needs no model. It opens the chunk
 * table with the model's id and dimension read from the model directory (no ONNX session), so a table built
 * with another model is refused here as everywhere.
 */
import { z } from 'zod';
import {
  INDEX_AND_MODEL_ENVIRONMENT,
  lanceStorageOptions,
  readEnvironment,
} from '#adapters/aws/environment.ts';
import { modelDirectoryOf } from '#adapters/aws/model-from-s3.ts';
import { type LanceChunkStore, openLanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { CHUNKER_VERSION } from '#engine/chunking/index.ts';
import { DEFAULT_MODEL_DIR, readModelDirectory } from '#engine/embedding/index.ts';

export const UpkeepEnvironment = z.object({
  ...INDEX_AND_MODEL_ENVIRONMENT,
  /** How long old versions stay restorable. @default 168 (7 days) */
  CODESEARCH_VERSION_RETENTION_HOURS: z.coerce.number().nonnegative().optional(),
  /** Rows from which the vector index is built (on S3 every query without one reads the whole vector column). */
  CODESEARCH_VECTOR_INDEX_MIN_ROWS: z.coerce.number().int().positive().optional(),
});

export interface UpkeepTarget {
  readonly store: LanceChunkStore;
  readonly retainVersionsMs: number;
}

export async function openUpkeepTarget(environment?: NodeJS.ProcessEnv): Promise<UpkeepTarget> {
  const env = readEnvironment(UpkeepEnvironment, environment);
  const model = await readModelDirectory(await modelDirectoryOf(env, DEFAULT_MODEL_DIR));
  const store = await openLanceChunkStore({
    uri: env.CODESEARCH_INDEX_URI,
    metadata: { modelId: model.modelId, dimension: model.config.dimension, chunkerVersion: CHUNKER_VERSION },
    storageOptions: lanceStorageOptions(env),
    vectorIndexMinRows: env.CODESEARCH_VECTOR_INDEX_MIN_ROWS,
  });
  return { store, retainVersionsMs: (env.CODESEARCH_VERSION_RETENTION_HOURS ?? 168) * 3600_000 };
}
