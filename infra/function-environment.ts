/**
 * The environment variables the stack sets on its functions, named as the handlers read them
 * (functions/*, src/adapters/aws): resource names, URLs and secret ARNs — never a secret's value. The bind
 * methods of the constructs set each one together with the IAM grant it goes with.
 */
import type { TableName } from '#adapters/aws/table-shapes.ts';

export const FUNCTION_ENV = {
  /** `s3://<bucket>/index`: the LanceDB database. */
  indexUri: 'CODESEARCH_INDEX_URI',
  /** Folder of the embedding model inside the function (`/opt/model`, from the model layer). */
  modelDir: 'CODESEARCH_MODEL_DIR',
  /** `s3://bucket/prefix/` of a model folder copied to /tmp at cold start, instead of the model layer. */
  modelUri: 'CODESEARCH_MODEL_URI',
  /** The bundled embedding worker script (`/var/task/embedding-worker.mjs`). */
  embeddingWorker: 'CODESEARCH_EMBEDDING_WORKER',
  /** The bundled chunking worker script (`/var/task/chunking-worker.mjs`). */
  chunkingWorker: 'CODESEARCH_CHUNKING_WORKER',
  /** SQS queue of indexing jobs. */
  jobQueueUrl: 'CODESEARCH_JOB_QUEUE_URL',
  /** SQS dead-letter queue of indexing jobs (the worker moves poison jobs there with the reason). */
  deadLetterQueueUrl: 'CODESEARCH_DEAD_LETTER_QUEUE_URL',
  /** Receives after which the index worker dead-letters a failing job itself (below the redrive limit). */
  maxReceives: 'CODESEARCH_MAX_RECEIVES',
  /** How long index upkeep keeps old table versions restorable, in hours. */
  versionRetentionHours: 'CODESEARCH_VERSION_RETENTION_HOURS',
  /** GitHub owners whose every repository the webhook (and a first reindex) accepts, comma-separated (optional). */
  allowedOwners: 'CODESEARCH_ALLOWED_OWNERS',
  /** Secret with the API token signing keys, `{"active":"k1","k1":"…"}`. */
  signingKeysSecret: 'CODESEARCH_KEYS_SECRET_ID',
  /** Secret of the GitHub webhook (X-Hub-Signature-256). */
  webhookSecret: 'CODESEARCH_WEBHOOK_SECRET_ID',
  /** Secret holding the GitHub token. */
  githubTokenSecret: 'CODESEARCH_GITHUB_TOKEN_SECRET_ID',
} as const;

/** The variable naming each DynamoDB table (shapes in src/adapters/aws/table-shapes.ts). */
export const TABLE_ENV: Readonly<Record<TableName, string>> = {
  fileHashes: 'CODESEARCH_FILE_HASH_TABLE',
  embeddingCache: 'CODESEARCH_EMBEDDING_CACHE_TABLE',
  indexState: 'CODESEARCH_INDEX_STATE_TABLE',
  repositories: 'CODESEARCH_REPOSITORIES_TABLE',
  webhookDeliveries: 'CODESEARCH_DELIVERIES_TABLE',
  queryCache: 'CODESEARCH_QUERY_CACHE_TABLE',
};
