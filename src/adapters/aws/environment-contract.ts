/**
 * Every environment variable the deployed functions read, declared once: its name, the schema that
 * validates it, and what it holds. The functions' configuration schemas are built from these entries
 * (`environmentSchema`) and the stack sets the variables by the same names (infra/function-environment.ts), so
 * a name cannot drift between the two. Names, URLs and ARNs only: secret values are read from Secrets Manager.
 */
import { z } from 'zod';

const tableName = (name: string) => z.string({ error: `${name} must name the DynamoDB table` }).min(1);
const queueUrl = (name: string) => z.url({ error: `${name} must be the queue URL` });
const secretId = (name: string) => z.string({ error: `${name} must name the secret (name or ARN)` }).min(1);
const count = () => z.coerce.number().int().positive();
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const ENVIRONMENT = {
  /** `s3://<bucket>/index`: the LanceDB database. */
  indexUri: {
    name: 'CODESEARCH_INDEX_URI',
    schema: z.string({ error: 'CODESEARCH_INDEX_URI must be set (s3://bucket/prefix)' }).min(1),
  },
  /** `s3://bucket/prefix/` of a model folder copied to /tmp at cold start, instead of the model layer. */
  modelUri: {
    name: 'CODESEARCH_MODEL_URI',
    schema: z.string().startsWith('s3://', { error: 'CODESEARCH_MODEL_URI must be s3://bucket/prefix/' }),
  },
  /** Folder of the embedding model inside the function (`/opt/model`, from the model layer). */
  modelDir: { name: 'CODESEARCH_MODEL_DIR', schema: z.string().min(1) },
  /** Only for S3-compatible servers other than AWS (tests, MinIO); AWS needs nothing here. */
  s3Endpoint: { name: 'CODESEARCH_S3_ENDPOINT', schema: z.url() },
  /**
   * The bundled embedding worker script (`/var/task/embedding-worker.mjs`), read by the engine as
   * `EMBEDDING_WORKER_ENV` (spelt out here, so the stack need not load the engine; a test keeps them equal).
   */
  embeddingWorker: { name: 'CODESEARCH_EMBEDDING_WORKER', schema: z.string().min(1) },
  /** The bundled chunking worker script (`/var/task/chunking-worker.mjs`), the engine's `CHUNKING_WORKER_ENV`. */
  chunkingWorker: { name: 'CODESEARCH_CHUNKING_WORKER', schema: z.string().min(1) },
  /** SQS queue of indexing jobs. */
  jobQueueUrl: { name: 'CODESEARCH_JOB_QUEUE_URL', schema: queueUrl('CODESEARCH_JOB_QUEUE_URL') },
  /** SQS dead-letter queue of indexing jobs (the worker moves poison jobs there with the reason). */
  deadLetterQueueUrl: {
    name: 'CODESEARCH_DEAD_LETTER_QUEUE_URL',
    schema: queueUrl('CODESEARCH_DEAD_LETTER_QUEUE_URL'),
  },
  /** Receives after which the index worker dead-letters a failing job itself (below the redrive limit). */
  maxReceives: { name: 'CODESEARCH_MAX_RECEIVES', schema: count() },
  /** How long index upkeep keeps old table versions restorable, in hours. @default 168 (7 days) */
  versionRetentionHours: {
    name: 'CODESEARCH_VERSION_RETENTION_HOURS',
    schema: z.coerce.number().nonnegative(),
  },
  /** Rows from which the vector index is built (on S3 every query without one reads the whole vector column). */
  vectorIndexMinRows: { name: 'CODESEARCH_VECTOR_INDEX_MIN_ROWS', schema: count() },
  /** GitHub owners whose every repository the webhook (and a first reindex) accepts, comma-separated. */
  allowedOwners: { name: 'CODESEARCH_ALLOWED_OWNERS', schema: z.string() },
  /** Secret with the API token signing keys, `{"active":"k1","k1":"…"}`. */
  signingKeysSecret: { name: 'CODESEARCH_KEYS_SECRET_ID', schema: secretId('CODESEARCH_KEYS_SECRET_ID') },
  /** Secret of the GitHub webhook (X-Hub-Signature-256). */
  webhookSecret: { name: 'CODESEARCH_WEBHOOK_SECRET_ID', schema: secretId('CODESEARCH_WEBHOOK_SECRET_ID') },
  /** Secret holding the GitHub token (or the GitHub App's credentials). */
  githubTokenSecret: {
    name: 'CODESEARCH_GITHUB_TOKEN_SECRET_ID',
    schema: secretId('CODESEARCH_GITHUB_TOKEN_SECRET_ID'),
  },
  /** GitHub's API base URL: GitHub Enterprise Server, or the tests' emulator. @default api.github.com */
  githubApiUrl: { name: 'CODESEARCH_GITHUB_API_URL', schema: z.url() },
  /** Files per `files` job. @default 50 */
  batchFiles: { name: 'CODESEARCH_BATCH_FILES', schema: count().max(500) },
  /** Embedding worker threads of the index worker. @default one per vCPU */
  embedderWorkers: { name: 'CODESEARCH_EMBEDDER_WORKERS', schema: count() },
  /** A push payload with this many commits may be truncated: it becomes a sync. @default 20 */
  untrustedCommitCount: { name: 'CODESEARCH_UNTRUSTED_COMMIT_COUNT', schema: count() },
  /** How long the search function keeps the signing keys it read. */
  keysTtlSeconds: { name: 'CODESEARCH_KEYS_TTL_SECONDS', schema: seconds(300) },
  /** How long search results are cached, in memory and in the query-cache table. */
  cacheTtlSeconds: { name: 'CODESEARCH_CACHE_TTL_SECONDS', schema: seconds(60) },
  /** Requests a caller may burst before the rate limit applies. */
  rateLimitBurst: { name: 'CODESEARCH_RATE_LIMIT_BURST', schema: seconds(60) },
  /** Requests per second a caller's bucket refills with. */
  rateLimitPerSecond: { name: 'CODESEARCH_RATE_LIMIT_PER_SECOND', schema: seconds(10) },
  // The DynamoDB tables (shapes in table-shapes.ts), each named by the stack.
  fileHashesTable: { name: 'CODESEARCH_FILE_HASH_TABLE', schema: tableName('CODESEARCH_FILE_HASH_TABLE') },
  embeddingCacheTable: {
    name: 'CODESEARCH_EMBEDDING_CACHE_TABLE',
    schema: tableName('CODESEARCH_EMBEDDING_CACHE_TABLE'),
  },
  indexStateTable: {
    name: 'CODESEARCH_INDEX_STATE_TABLE',
    schema: tableName('CODESEARCH_INDEX_STATE_TABLE'),
  },
  repositoriesTable: {
    name: 'CODESEARCH_REPOSITORIES_TABLE',
    schema: tableName('CODESEARCH_REPOSITORIES_TABLE'),
  },
  webhookDeliveriesTable: {
    name: 'CODESEARCH_DELIVERIES_TABLE',
    schema: tableName('CODESEARCH_DELIVERIES_TABLE'),
  },
  queryCacheTable: {
    name: 'CODESEARCH_QUERY_CACHE_TABLE',
    schema: tableName('CODESEARCH_QUERY_CACHE_TABLE'),
  },
} as const;

export type Variable = keyof typeof ENVIRONMENT;
type Entry<K extends Variable> = (typeof ENVIRONMENT)[K];

/**
 * The zod shape of a function's configuration: `required` variables as declared, `optional` ones as
 * optional, keyed by their names (so handlers read `config.CODESEARCH_INDEX_URI`).
 *
 * @example
 * const Config = z.object(environmentSchema(['indexUri'], ['modelDir']));
 */
export function environmentSchema<
  const Required extends readonly Variable[],
  const Optional extends readonly Variable[] = [],
>(
  required: Required,
  optional?: Optional,
): { [K in Required[number] as Entry<K>['name']]: Entry<K>['schema'] } & {
  [K in Optional[number] as Entry<K>['name']]: z.ZodOptional<Entry<K>['schema']>;
} {
  const shape: Record<string, z.ZodType> = {};
  for (const variable of required) shape[ENVIRONMENT[variable].name] = ENVIRONMENT[variable].schema;
  for (const variable of optional ?? [])
    shape[ENVIRONMENT[variable].name] = ENVIRONMENT[variable].schema.optional();
  return shape as never;
}
