/**
 * The stateless half: the layers, the functions and the HTTP API, wired to the state through its bind
 * methods. Four functions: search (the API), the GitHub webhook (queues a job per push), the index worker
 * (consumes the job queue) and the scheduled index upkeep (compaction, index builds, old versions).
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SEARCH_ROUTES, WEBHOOK_ROUTES } from '#api/gateway-routes.ts';
import type { RuntimeLayerFolders } from '../scripts/layers/index.ts';
import { CodeSearchFunction } from './codesearch-function.ts';
import { CodeSearchHttpApi, type CodeSearchHttpApiProps } from './codesearch-http-api.ts';
import type { CodeSearchState } from './codesearch-state.ts';
import { FUNCTION_ENV } from './function-environment.ts';
import type { ModelFromBucket } from './model-from-bucket.ts';
import { RuntimeLayers } from './runtime-layers.ts';

export interface CodeSearchServiceProps {
  readonly state: CodeSearchState;
  /** Layer folders from `buildLayers()` (scripts/layers), built for `architecture`. */
  readonly layerFolders: RuntimeLayerFolders;
  readonly architecture: lambda.Architecture;
  /**
   * Memory of the search function in MB. A query embeds one short text (single-digit milliseconds of CPU)
   * and LanceDB caches index pages in memory: 2 GB gives both room and a little more than one vCPU.
   * @default 2048
   */
  readonly searchMemoryMb?: number;
  /** @default none: the search function uses the account's unreserved concurrency */
  readonly searchReservedConcurrency?: number;
  /**
   * Below API Gateway's 30 s integration limit, so a slow cold start (model session, first S3 reads of the
   * index) fails in the function, with its log, rather than as a bare 503 from the gateway.
   * @default Duration.seconds(20)
   */
  readonly searchTimeout?: Duration;
  /**
   * `s3://bucket/prefix/` of a model folder that search, the index worker and upkeep copy to /tmp at cold
   * start, instead of the model layer (which is then not created): for a model too large for the 250 MB
   * budget beside LanceDB.
   * @default none: the model layer, built from the `model` folder
   */
  readonly modelS3Uri?: string;
  /**
   * Ephemeral storage (/tmp) of those functions with `modelS3Uri`, MB: the model, plus the old version while
   * a new one is fetched.
   * @default 2048
   */
  readonly modelEphemeralStorageMb?: number;
  /** Throttling and access-log settings of the HTTP API. */
  readonly api?: CodeSearchHttpApiProps;
  /**
   * Most index workers at once (the SQS event source's maximum concurrency, 2–1,000).
   * @default 10
   */
  readonly indexConcurrency?: number;
  /**
   * Memory of the index worker in MB. Embedding is CPU-bound and memory buys CPU (3,008 MB ≈ 1.7 vCPUs);
   * it also holds a batch's blobs, chunks and vectors, the grammars and the ONNX session.
   * @default 3008
   */
  readonly indexMemoryMb?: number;
  /** GitHub owners whose every repository the webhook accepts. @default none: registered repositories only */
  readonly allowedOwners?: readonly string[];
  /**
   * How often index upkeep runs. Longer than its timeout (15 minutes), so that runs never overlap.
   * @default Duration.minutes(30)
   */
  readonly upkeepInterval?: Duration;
  /**
   * How long upkeep keeps old table versions restorable (LanceDB `checkout`/`restore`). The bucket keeps the
   * objects of removed versions for its own noncurrent-version retention on top.
   * @default Duration.days(7)
   */
  readonly versionRetention?: Duration;
}

/** Upkeep's timeout: compaction and an index rebuild of a large table take minutes, not seconds. */
const UPKEEP_TIMEOUT = Duration.minutes(15);

export class CodeSearchService extends Construct {
  readonly layers: RuntimeLayers;
  readonly api: CodeSearchHttpApi;
  readonly search: CodeSearchFunction;
  readonly webhook: CodeSearchFunction;
  readonly indexWorker: CodeSearchFunction;
  readonly indexUpkeep: CodeSearchFunction;
  readonly upkeepSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: CodeSearchServiceProps) {
    super(scope, id);
    const { state, architecture } = props;
    const modelFromBucket: ModelFromBucket | undefined = props.modelS3Uri
      ? {
          uri: props.modelS3Uri,
          ephemeralStorage: Size.mebibytes(props.modelEphemeralStorageMb ?? 2048),
        }
      : undefined;
    this.layers = new RuntimeLayers(this, 'Layers', {
      folders: props.layerFolders,
      architecture,
      modelLayer: !modelFromBucket,
    });
    this.api = new CodeSearchHttpApi(this, 'HttpApi', props.api);

    this.search = new CodeSearchFunction(this, 'Search', {
      entry: 'functions/search/handler.ts',
      description: 'codesearch: search API (POST /search, GET /health, …)',
      invokedBy: 'api',
      architecture,
      memorySize: props.searchMemoryMb ?? 2048,
      timeout: props.searchTimeout ?? Duration.seconds(20),
      reservedConcurrentExecutions: props.searchReservedConcurrency,
      layers: this.layers,
      modelFromBucket,
      embedder: true,
      lanceDb: true,
    });
    // The index and the token signing keys to search; the index state and the job queue for GET /repos
    // (indexing status) and POST /repos/{repo}/reindex, and the registrations for the first index of a
    // registered repository (the worker looks its default branch up on GitHub: no token here); the query
    // cache shares results between the function's containers.
    state.bindIndex(this.search.fn, 'read');
    state.bindSigningKeys(this.search.fn);
    state.bindTable(this.search.fn, 'indexState', ['indexStateReader']);
    // Reads for re-indexing; writes for the admin routes PUT and DELETE /repos/{repo}.
    state.bindTable(this.search.fn, 'repositories', ['repoRegistry', 'repoRegistryWrite']);
    state.bindTable(this.search.fn, 'queryCache', ['queryCache']);
    state.bindJobQueueProducer(this.search.fn);
    this.api.addRoutes('Search', this.search.fn, SEARCH_ROUTES);

    // GitHub gives a webhook 10 seconds; the function checks a signature and queues one job.
    this.webhook = new CodeSearchFunction(this, 'Webhook', {
      entry: 'functions/webhook/handler.ts',
      description: 'codesearch: GitHub push webhook (POST /webhooks/github)',
      invokedBy: 'api',
      architecture,
      memorySize: 512,
      timeout: Duration.seconds(10),
    });
    state.bindWebhookSecret(this.webhook.fn);
    state.bindJobQueueProducer(this.webhook.fn);
    state.bindTable(this.webhook.fn, 'repositories', ['repoRegistry', 'repoRegistryWrite']);
    state.bindTable(this.webhook.fn, 'webhookDeliveries', ['deliveryLog']);
    if (props.allowedOwners && props.allowedOwners.length > 0) {
      this.webhook.fn.addEnvironment(FUNCTION_ENV.allowedOwners, props.allowedOwners.join(','));
      this.search.fn.addEnvironment(FUNCTION_ENV.allowedOwners, props.allowedOwners.join(','));
    }
    this.api.addRoutes('Webhook', this.webhook.fn, WEBHOOK_ROUTES);

    this.indexWorker = new CodeSearchFunction(this, 'IndexWorker', {
      entry: 'functions/index-worker/handler.ts',
      description: 'codesearch: index worker (job queue → GitHub → chunks, embeddings → LanceDB)',
      invokedBy: 'queue',
      architecture,
      memorySize: props.indexMemoryMb ?? 3008,
      timeout: state.indexWorkerTimeout,
      layers: this.layers,
      modelFromBucket,
      embedder: true,
      lanceDb: true,
      chunker: true,
    });
    const worker = this.indexWorker.fn;
    state.bindIndex(worker, 'readWrite');
    state.bindTable(worker, 'fileHashes', ['fileHashStore']);
    state.bindTable(worker, 'embeddingCache', ['embeddingCache']);
    state.bindTable(worker, 'indexState', ['indexStateWriter']);
    state.bindJobQueueProducer(worker); // a sync fans out into batches
    state.bindDeadLetterQueueProducer(worker); // poison jobs, with their reason
    state.bindGitHubToken(worker);
    state.bindJobQueueConsumer(worker, { maxConcurrency: props.indexConcurrency ?? 10 });

    // Compaction, index (re)builds and version cleanup, one run at a time: no model session, only its id.
    this.indexUpkeep = new CodeSearchFunction(this, 'IndexUpkeep', {
      entry: 'functions/index-upkeep/handler.ts',
      description: 'codesearch: scheduled index upkeep (compaction, index builds, old versions)',
      invokedBy: 'schedule',
      architecture,
      memorySize: 3008,
      timeout: UPKEEP_TIMEOUT,
      reservedConcurrentExecutions: 1,
      layers: this.layers,
      modelFromBucket,
      model: true,
      lanceDb: true,
    });
    state.bindIndex(this.indexUpkeep.fn, 'readWrite');
    // After a model change: a sync per index the new generation lacks (generation-rebuilds.ts).
    state.bindTable(this.indexUpkeep.fn, 'indexState', ['indexStateRebuilds']);
    state.bindTable(this.indexUpkeep.fn, 'repositories', ['repoRegistryList']);
    state.bindJobQueueProducer(this.indexUpkeep.fn);
    const retention = props.versionRetention ?? Duration.days(7);
    this.indexUpkeep.fn.addEnvironment(
      FUNCTION_ENV.versionRetentionHours,
      String(retention.toHours({ integral: true })),
    );
    const interval = props.upkeepInterval ?? Duration.minutes(30);
    if (interval.toSeconds() <= UPKEEP_TIMEOUT.toSeconds()) {
      throw new Error(
        `upkeepInterval must be longer than upkeep's ${UPKEEP_TIMEOUT.toMinutes()}-minute timeout, so runs never overlap`,
      );
    }
    this.upkeepSchedule = new events.Rule(this, 'UpkeepSchedule', {
      description: 'codesearch: index upkeep',
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(this.indexUpkeep.fn, {
          // If EventBridge cannot invoke the function at all, the event lands beside its failed runs.
          deadLetterQueue: this.indexUpkeep.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }
}
