/**
 * Everything push-driven indexing talks to, started locally for one test file: S3 (s3rver + conditional
 * writes), DynamoDB (dynalite), SQS and Secrets Manager (small protocol emulators) and GitHub (REST emulator),
 * plus the environment the functions read. Workers and the webhook are built through the same wiring as in
 * Lambda (`openIndexWorker`, `openWebhook`), with emulator clients and the bundled model (tests with several
 * worker instances share one ONNX session among them).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '#adapters/aws/clients.ts';
import { DynamoFileHashStore } from '#adapters/aws/dynamo-file-hash-store.ts';
import { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import { generationTableName, indexGeneration } from '#adapters/lancedb/index-generation.ts';
import { type LanceChunkStore, openLanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { CHUNKER_VERSION, type Chunker } from '#engine/chunking/index.ts';
import { DEFAULT_MODEL_DIR, readModelDirectory } from '#engine/embedding/index.ts';
import type { PipelineSettings } from '#engine/pipeline/pipeline-deps.ts';
import { type PipelineLog, SILENT_LOG } from '#engine/pipeline/ports.ts';
import type { Embedder } from '#engine/types.ts';
import { type DynamoEmulator, startDynamoEmulator } from '#test/emulators/dynamodb-emulator.ts';
import type { FaultPlan } from '#test/emulators/faults.ts';
import {
  type GitHubEmulator,
  type GitHubEmulatorOptions,
  startGitHubEmulator,
} from '#test/emulators/github-emulator.ts';
import { type S3Emulator, startS3Emulator } from '#test/emulators/s3-emulator.ts';
import {
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '#test/emulators/secrets-manager-emulator.ts';
import { type SqsEmulator, startSqsEmulator } from '#test/emulators/sqs-emulator.ts';
import { type DrainReport, drainQueue, type SqsHandler } from '#test/emulators/sqs-lambda-poller.ts';
import { createIndexWorkerHandler } from '../../../functions/index-worker/worker-handler.ts';
import { type OpenedWorker, openIndexWorker } from '../../../functions/index-worker/worker-services.ts';
import type { WebhookHandler } from '../../../functions/webhook/webhook-handler.ts';
import { openWebhook } from '../../../functions/webhook/webhook-services.ts';

export const WEBHOOK_SECRET = "It's a Secret to Everybody";
export const JOB_QUEUE = 'codesearch-jobs';
export const DEAD_LETTER_QUEUE = 'codesearch-jobs-dlq';

export interface PipelineWorld {
  readonly s3: S3Emulator;
  readonly dynamo: DynamoEmulator;
  readonly sqs: SqsEmulator;
  readonly secrets: SecretsManagerEmulator;
  readonly github: GitHubEmulator;
  readonly clients: AwsClients;
  /** Clients signing as `principal` (one per function, so the emulators can tell who called). */
  clientsFor(principal: string): AwsClients;
  /** The functions' environment, pointing at the emulators. */
  readonly env: NodeJS.ProcessEnv;
  readonly indexUri: string;
  /** One "function instance" of the index worker. */
  openWorker(options?: WorkerOptions): Promise<OpenedWorker & { handler: SqsHandler }>;
  openWebhook(log?: PipelineLog, principal?: string): WebhookHandler;
  /** Registers a repository with the webhook. */
  register(repo: string, branches?: string[]): Promise<void>;
  /**
   * Runs the job queue dry with the given worker instances, as Lambda's event source mapping would. Failed
   * records come back at once (no waiting out a visibility timeout); there is no deadline but the poller's
   * generous safety net, so a slow machine only makes it slower.
   */
  drain(handlers: readonly SqsHandler[], options?: { batchSize?: number }): Promise<DrainReport>;
  /** A reader of the chunk table of `model`'s index generation (as the functions name it), for assertions. */
  openReader(model: IndexModel): Promise<LanceChunkStore>;
  /** The index generation the functions derive from `model`. @default the bundled model's */
  generation(model?: IndexModel): string;
  /** The index-state table as the functions see it in `model`'s generation. @default the bundled model's */
  indexState(model?: IndexModel): DynamoIndexStateStore;
  /** The file-hash table as the workers see it in `model`'s generation. @default the bundled model's */
  fileHashes(model?: IndexModel): DynamoFileHashStore;
  close(): Promise<void>;
}

/** What names an index generation besides the chunker: the model's id and vector dimension. */
export type IndexModel = Pick<Embedder, 'modelId' | 'dimension'>;

export interface WorkerOptions {
  readonly embedder?: Embedder;
  readonly chunker?: Chunker;
  readonly settings?: Partial<PipelineSettings>;
  readonly log?: PipelineLog;
  /** Client retries (fault tests lower them so that faults reach the pipeline). */
  readonly maxAttempts?: number;
  /** The access key id the worker's clients sign with. @default the shared test credentials */
  readonly principal?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export async function startPipelineWorld(
  options: {
    github?: GitHubEmulatorOptions;
    s3Faults?: FaultPlan;
    indexPrefix?: string;
    duplicateDeliveries?: boolean;
  } = {},
): Promise<PipelineWorld> {
  const [s3, dynamo, sqs, secrets, github] = await Promise.all([
    startS3Emulator({ faults: options.s3Faults }),
    startDynamoEmulator(),
    startSqsEmulator(),
    startSecretsManagerEmulator(),
    startGitHubEmulator(options.github),
  ]);
  const dlqUrl = sqs.createQueue(DEAD_LETTER_QUEUE);
  // The redrive policy is the backstop; the worker dead-letters with a reason after 5 receives itself.
  const queueUrl = sqs.createQueue(JOB_QUEUE, {
    redrive: { deadLetterQueue: DEAD_LETTER_QUEUE, maxReceiveCount: 8 },
    duplicateDeliveries: options.duplicateDeliveries,
  });
  secrets.put('webhook-secret', WEBHOOK_SECRET);
  secrets.put('github-token', github.token);
  const endpoints = { sqs: sqs.endpoint, secretsManager: secrets.endpoint };
  const clients = dynamo.clients({ endpoints });
  const indexUri = s3.uri(options.indexPrefix ?? 'index');
  const env: NodeJS.ProcessEnv = {
    AWS_REGION: 'us-east-1',
    CODESEARCH_INDEX_URI: indexUri,
    CODESEARCH_S3_ENDPOINT: s3.endpoint,
    CODESEARCH_JOB_QUEUE_URL: queueUrl,
    CODESEARCH_DEAD_LETTER_QUEUE_URL: dlqUrl,
    CODESEARCH_FILE_HASH_TABLE: dynamo.tables.fileHashes,
    CODESEARCH_EMBEDDING_CACHE_TABLE: dynamo.tables.embeddingCache,
    CODESEARCH_INDEX_STATE_TABLE: dynamo.tables.indexState,
    CODESEARCH_REPOSITORIES_TABLE: dynamo.tables.repositories,
    CODESEARCH_DELIVERIES_TABLE: dynamo.tables.webhookDeliveries,
    CODESEARCH_GITHUB_TOKEN_SECRET_ID: 'github-token',
    CODESEARCH_WEBHOOK_SECRET_ID: 'webhook-secret',
    CODESEARCH_GITHUB_API_URL: github.url,
  };
  // LanceDB's object store reads static credentials from the environment; s3rver checks them.
  const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const opened: OpenedWorker[] = [];
  const bundled = await readModelDirectory(DEFAULT_MODEL_DIR);
  const generation = (
    model: IndexModel = { modelId: bundled.modelId, dimension: bundled.config.dimension },
  ) =>
    indexGeneration({ modelId: model.modelId, dimension: model.dimension, chunkerVersion: CHUNKER_VERSION });

  return {
    s3,
    dynamo,
    sqs,
    secrets,
    github,
    clients,
    clientsFor: (principal) => dynamo.clients({ endpoints, principal }),
    env,
    indexUri,
    async openWorker(workerOptions = {}) {
      const workerClients =
        workerOptions.maxAttempts || workerOptions.principal
          ? dynamo.clients({
              endpoints,
              maxAttempts: workerOptions.maxAttempts,
              principal: workerOptions.principal,
            })
          : clients;
      const worker = await openIndexWorker(
        workerClients,
        workerOptions.log ?? SILENT_LOG,
        { ...env, ...workerOptions.env },
        {
          embedder: workerOptions.embedder,
          chunker: workerOptions.chunker,
          settings: { writerPollMs: 50, ...workerOptions.settings },
        },
      );
      opened.push(worker);
      return { ...worker, handler: createIndexWorkerHandler(worker.deps) };
    },
    openWebhook: (log = SILENT_LOG, principal) =>
      openWebhook(principal ? dynamo.clients({ endpoints, principal }) : clients, log, env),
    async register(repo, branches) {
      await clients.documents.send(
        new PutCommand({
          TableName: dynamo.tables.repositories,
          Item: { repo: repo.toLowerCase(), ...(branches ? { branches } : {}) },
        }),
      );
    },
    drain: (handlers, drainOptions = {}) =>
      drainQueue({ sqs: clients.sqs, queueUrl, handlers, batchSize: drainOptions.batchSize ?? 1 }),
    openReader: (model) =>
      openLanceChunkStore({
        uri: indexUri,
        metadata: { modelId: model.modelId, dimension: model.dimension, chunkerVersion: CHUNKER_VERSION },
        tableName: generationTableName(generation(model)),
        storageOptions: s3.storageOptions,
        readConsistencySeconds: 0,
      }),
    generation,
    indexState: (model) =>
      new DynamoIndexStateStore(clients.documents, dynamo.tables.indexState, {
        generation: generation(model),
      }),
    fileHashes: (model) =>
      new DynamoFileHashStore(clients.documents, dynamo.tables.fileHashes, {
        generation: generation(model),
      }),
    async close() {
      for (const worker of opened) await worker.close();
      await Promise.all([s3.stop(), dynamo.stop(), sqs.stop(), secrets.stop(), github.stop()]);
      restore('AWS_ACCESS_KEY_ID', savedCredentials.id);
      restore('AWS_SECRET_ACCESS_KEY', savedCredentials.secret);
    },
  };
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
