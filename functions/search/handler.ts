/**
 * Lambda entry point of the search API (API Gateway HTTP API, payload v2). It only wires: configuration from
 * the environment, the embedder and the LanceDB chunk store opened once per container, and the same
 * `createSearchApi` handler that `codesearch serve` runs locally.
 *
 * Environment: CODESEARCH_INDEX_URI (s3://bucket/prefix or a path), CODESEARCH_MODEL_DIR (default: the model
 * shipped beside the function). Auth, caching and the AWS-specific stores arrive with the API and stack issues.
 */

import { z } from 'zod';
import { openLanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '#api/http-types.ts';
import { createSearchApi } from '#api/search-api.ts';
import { CHUNKER_VERSION } from '#engine/chunking/index.ts';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR } from '#engine/embedding/index.ts';
import { ConfigError } from '#engine/errors.ts';

const Config = z.object({
  CODESEARCH_INDEX_URI: z.string({ error: 'CODESEARCH_INDEX_URI must be set (s3://bucket/prefix)' }).min(1),
  CODESEARCH_MODEL_DIR: z.string().min(1).optional(),
  AWS_REGION: z.string().optional(),
});

let api: Promise<HttpHandler> | undefined;

async function createApi(): Promise<HttpHandler> {
  const parsed = Config.safeParse(process.env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const config = parsed.data;
  // One worker: a search embeds one short query at a time, and the function's vCPUs serve ONNX's threads.
  const embedder = await createOnnxEmbedder({
    modelDir: config.CODESEARCH_MODEL_DIR ?? DEFAULT_MODEL_DIR,
    workers: 1,
  });
  const store = await openLanceChunkStore({
    uri: config.CODESEARCH_INDEX_URI,
    metadata: { modelId: embedder.modelId, dimension: embedder.dimension, chunkerVersion: CHUNKER_VERSION },
    storageOptions: config.AWS_REGION ? { region: config.AWS_REGION } : undefined,
  });
  return createSearchApi({
    store,
    embedder,
    logError: (message, error) =>
      console.error(JSON.stringify({ level: 'error', message, error: String(error) })),
  });
}

export async function handler(event: HttpEvent): Promise<HttpResult> {
  api ??= createApi().catch((error: unknown) => {
    api = undefined; // a failed cold start is retried by the next invocation
    throw error;
  });
  return (await api)(event);
}
