/**
 * Lambda entry point of the search API (API Gateway HTTP API, payload v2). It only wires: configuration from
 * the environment (validated once, at cold start), clients created once per container, the embedder and the
 * current index generation's LanceDB chunk store opened behind a memoised promise, and the same
 * `createSearchApi` handler that `codesearch serve` runs locally — with Powertools logging and metrics around it.
 *
 * Environment (names and ARNs only, never secret values):
 * - CODESEARCH_INDEX_URI — s3://bucket/prefix of the LanceDB index (required)
 * - CODESEARCH_KEYS_SECRET_ID — Secrets Manager name or ARN of the token signing keys (required; the function
 *   needs secretsmanager:GetSecretValue on it). Format: `{"active":"k1","k1":"<≥32 random characters>"}`.
 * - CODESEARCH_INDEX_STATE_TABLE and CODESEARCH_JOB_QUEUE_URL — the push-driven pipeline's index-state table
 *   and job queue (optional, together): `GET /repos` then shows each repository's indexed commit and status,
 *   and `POST /repos/{repo}/reindex` queues a re-index (dynamodb:GetItem and Scan on the table,
 *   sqs:SendMessage on the queue)
 * - CODESEARCH_REPOSITORIES_TABLE and CODESEARCH_ALLOWED_OWNERS — the repositories the webhook accepts
 *   (optional; dynamodb:GetItem on the table): reindex of one that was never indexed queues its first index
 * - CODESEARCH_MODEL_URI — s3://bucket/prefix/ of a model folder copied to /tmp at cold start (optional;
 *   s3:GetObject on the prefix and s3:ListBucket on the bucket); else CODESEARCH_MODEL_DIR
 * - CODESEARCH_MODEL_DIR — default: the model shipped beside the function
 * - CODESEARCH_QUERY_CACHE_TABLE — DynamoDB table shared by every container as a second level of the result
 *   cache, behind each container's memory (optional; dynamodb:GetItem and PutItem on the table). Its faults
 *   are logged and count as misses.
 * - CODESEARCH_KEYS_TTL_SECONDS (300), CODESEARCH_CACHE_TTL_SECONDS (60, both cache levels),
 *   CODESEARCH_RATE_LIMIT_BURST (60), CODESEARCH_RATE_LIMIT_PER_SECOND (10)
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { awsClients } from '#adapters/aws/clients.ts';
import { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import { DynamoRepoRegistry } from '#adapters/aws/dynamo-repo-registry.ts';
import { DynamoResultCache } from '#adapters/aws/dynamo-result-cache.ts';
import {
  csv,
  INDEX_AND_MODEL_ENVIRONMENT,
  lanceStorageOptions,
  readEnvironment,
} from '#adapters/aws/environment.ts';
import { environmentSchema } from '#adapters/aws/environment-contract.ts';
import { openGenerationChunkStore } from '#adapters/aws/generation-chunk-store.ts';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { modelDirectoryOf } from '#adapters/aws/model-from-s3.ts';
import { functionLogger } from '#adapters/aws/powertools-log.ts';
import { secretsManagerSecret } from '#adapters/aws/secrets-manager-secret.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '#api/http-types.ts';
import type { RequestRecord } from '#api/middleware/request-log.ts';
import { tokenBucketLimiter } from '#api/rate-limiter.ts';
import { layeredResultCache, type ResultCache, ttlResultCache } from '#api/result-cache.ts';
import { createSearchApi } from '#api/search-api.ts';
import { CHUNKER_VERSION } from '#engine/chunking/index.ts';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR } from '#engine/embedding/index.ts';
import { ConfigError } from '#engine/errors.ts';

const Config = z.object({
  ...INDEX_AND_MODEL_ENVIRONMENT,
  ...environmentSchema(
    ['signingKeysSecret', 'keysTtlSeconds', 'cacheTtlSeconds', 'rateLimitBurst', 'rateLimitPerSecond'],
    ['indexStateTable', 'jobQueueUrl', 'repositoriesTable', 'allowedOwners', 'queryCacheTable'],
  ),
});

const logger = functionLogger('codesearch-search');
const metrics = new Metrics({ namespace: 'codesearch', serviceName: 'codesearch-search' });

let api: Promise<HttpHandler> | undefined;

async function createApi(): Promise<HttpHandler> {
  const config = readEnvironment(Config);
  // One worker: a search embeds one short query at a time, and the function's vCPUs serve ONNX's threads.
  const embedder = await createOnnxEmbedder({
    modelDir: await modelDirectoryOf(config, DEFAULT_MODEL_DIR),
    workers: 1,
  });
  // The current generation's table, created empty if this model has none yet: until upkeep's rebuilds land,
  // searches find nothing in a repository instead of failing, and GET /repos shows it as indexing.
  const { store, generation } = await openGenerationChunkStore({
    uri: config.CODESEARCH_INDEX_URI,
    metadata: { modelId: embedder.modelId, dimension: embedder.dimension, chunkerVersion: CHUNKER_VERSION },
    storageOptions: lanceStorageOptions(config),
  });
  const catalog = indexStateCatalog(config, generation);
  const keys = cachedKeySet(secretsManagerSecret(awsClients().secrets, config.CODESEARCH_KEYS_SECRET_ID), {
    ttlMs: config.CODESEARCH_KEYS_TTL_SECONDS * 1000,
  });
  return createSearchApi({
    store,
    embedder,
    auth: bearerTokenAuthenticator(keys),
    cache: resultCache(config),
    rateLimiter: tokenBucketLimiter({
      burst: config.CODESEARCH_RATE_LIMIT_BURST,
      perSecond: config.CODESEARCH_RATE_LIMIT_PER_SECOND,
    }),
    catalog,
    reindexer: catalog,
    admin: catalog,
    logger,
    onRequest: recordMetrics,
  });
}

/** The pipeline's view of each repository, when the deployment has the pipeline (both variables set). */
function indexStateCatalog(
  config: z.infer<typeof Config>,
  generation: string,
): IndexStateCatalog | undefined {
  const table = config.CODESEARCH_INDEX_STATE_TABLE;
  const queueUrl = config.CODESEARCH_JOB_QUEUE_URL;
  if (table === undefined && queueUrl === undefined) return undefined;
  if (table === undefined || queueUrl === undefined)
    throw new ConfigError(
      'CODESEARCH_INDEX_STATE_TABLE and CODESEARCH_JOB_QUEUE_URL must be set together (GET /repos, reindex)',
    );
  const clients = awsClients();
  const repositories = config.CODESEARCH_REPOSITORIES_TABLE;
  return new IndexStateCatalog(
    new DynamoIndexStateStore(clients.documents, table, { generation }),
    new SqsJobQueue(clients.sqs, queueUrl),
    {
      registry:
        repositories === undefined ? undefined : new DynamoRepoRegistry(clients.documents, repositories),
      allowedOwners: csv(config.CODESEARCH_ALLOWED_OWNERS),
    },
  );
}

/**
 * Each container's memory first; with CODESEARCH_QUERY_CACHE_TABLE, DynamoDB behind it, so that a result
 * computed by one container is a hit in every other (Lambda spreads a user's requests over containers).
 */
function resultCache(config: z.infer<typeof Config>): ResultCache {
  const memory = ttlResultCache({ ttlMs: config.CODESEARCH_CACHE_TTL_SECONDS * 1000 });
  const table = config.CODESEARCH_QUERY_CACHE_TABLE;
  if (table === undefined) return memory;
  const shared = new DynamoResultCache(awsClients().documents, table, {
    ttlSeconds: config.CODESEARCH_CACHE_TTL_SECONDS,
    log: {
      warn: (message, attributes) => {
        logger.warn(message, attributes);
        metrics.addMetric('QueryCacheWarning', MetricUnit.Count, 1);
      },
    },
  });
  return layeredResultCache(memory, shared);
}

function recordMetrics(record: RequestRecord): void {
  metrics.addDimensions({ route: record.route ?? 'none' });
  metrics.addMetric('Latency', MetricUnit.Milliseconds, record.latencyMs);
  metrics.addMetric(
    record.status >= 500 ? 'Fault' : record.status >= 400 ? 'ClientError' : 'Success',
    MetricUnit.Count,
    1,
  );
  if (record.cacheHit !== null) metrics.addMetric('CacheHit', MetricUnit.Count, record.cacheHit ? 1 : 0);
  if (record.resultCount !== null) metrics.addMetric('Results', MetricUnit.Count, record.resultCount);
}

async function invoke(event: HttpEvent, context: Context): Promise<HttpResult> {
  api ??= createApi().catch((error: unknown) => {
    api = undefined; // a failed cold start is retried by the next invocation
    throw error;
  });
  return (await api)(event, context);
}

export const handler = middy(invoke)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
