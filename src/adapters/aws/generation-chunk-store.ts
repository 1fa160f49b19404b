/**
 * The chunk table of the current index generation, as the Lambda functions open it: each generation (model,
 * dimension, chunker, schema; see #adapters/lancedb/index-generation.ts) has a table of its own in the index
 * bucket, so a deploy with a new model creates a fresh table beside the old one instead of failing on it. The
 * generation also scopes the DynamoDB state the functions pass to their adapters.
 */
import { generationTableName, indexGeneration } from '#adapters/lancedb/index-generation.ts';
import {
  type LanceChunkStore,
  type LanceChunkStoreOptions,
  openLanceChunkStore,
} from '#adapters/lancedb/lance-chunk-store.ts';

export interface GenerationChunkStore {
  readonly generation: string;
  readonly store: LanceChunkStore;
}

export async function openGenerationChunkStore(
  options: Omit<LanceChunkStoreOptions, 'tableName'>,
): Promise<GenerationChunkStore> {
  const generation = indexGeneration(options.metadata);
  const store = await openLanceChunkStore({ ...options, tableName: generationTableName(generation) });
  return { generation, store };
}
