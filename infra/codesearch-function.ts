/**
 * A codesearch Lambda function: nodejs22.x, bundled locally with esbuild, its own log group with a retention,
 * its own role with no managed policies, X-Ray tracing, and the layers it declares it needs; a scheduled one
 * also gets a dead-letter queue for its failed runs. Each of the stack's functions is one
 * `new CodeSearchFunction(…)` plus the state it binds.
 */
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../scripts/layers/index.ts';
import { CHUNKING_WORKER, EMBEDDING_WORKER, functionBundling } from './bundling/function-bundling.ts';
import { FUNCTION_ENV } from './function-environment.ts';
import { bindModelFromBucket, type ModelFromBucket } from './model-from-bucket.ts';
import { acknowledge } from './nag-acknowledgements.ts';
import { MODEL_DIR_IN_LAMBDA, type RuntimeLayers } from './runtime-layers.ts';

/** Lambda puts the function's files here. */
const TASK_ROOT = '/var/task';

/**
 * Who invokes the function. `api` and `queue` are synchronous invocations: a failure goes back to API
 * Gateway's caller, or back to SQS, whose redrive policy moves the job to the dead-letter queue, so those
 * functions need no DLQ of their own. `schedule` (EventBridge) invokes asynchronously: Lambda retries a
 * failed event, then sends it to the function's own dead-letter queue — as an on-failure destination, which
 * records the error and the request context besides the event (the legacy DeadLetterConfig keeps only the
 * event).
 */
export type InvokedBy = 'api' | 'queue' | 'schedule';

const NO_DLQ_NEEDED: Readonly<Record<Exclude<InvokedBy, 'schedule'>, string>> = {
  api:
    'Invoked only synchronously, by API Gateway: a failure goes back to the caller, so there is no event to ' +
    'keep in a dead-letter queue.',
  queue:
    'Invoked only by its SQS event source mapping: a failed job returns to the queue, whose redrive policy ' +
    'moves it to the dead-letter queue.',
};

export interface CodeSearchFunctionProps {
  /** Handler module relative to the project root, exporting `handler` (e.g. `functions/search/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  readonly invokedBy: InvokedBy;
  readonly architecture: lambda.Architecture;
  /** MB; also buys CPU (1,769 MB = one vCPU). */
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Needed when the function uses the embedder or LanceDB. @default none */
  readonly layers?: RuntimeLayers;
  /**
   * The function embeds text: ship the embedding worker beside the handler, add the onnxruntime and model
   * layers, and point the engine at both through the environment.
   * @default false
   */
  readonly embedder?: boolean;
  /**
   * The function reads the model directory (its id and dimension) without running the model: add the model
   * layer and point the engine at it. `embedder` implies it.
   * @default false
   */
  readonly model?: boolean;
  /**
   * Where the model comes from when the function needs it (`embedder` or `model`): the model folder in S3,
   * copied to /tmp at cold start, instead of the model layer.
   * @default the model layer
   */
  readonly modelFromBucket?: ModelFromBucket;
  /**
   * The function opens LanceDB: add the LanceDB layer (with apache-arrow).
   * @default false
   */
  readonly lanceDb?: boolean;
  /**
   * The function chunks source files: ship the tree-sitter runtime and grammars (22 MB) with it, and the
   * chunking worker script (files are chunked in a worker thread, each under a deadline).
   * @default false
   */
  readonly chunker?: boolean;
  /** @default no reserved concurrency (the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Only for `invokedBy: 'schedule'`: how often Lambda retries a failed asynchronous invocation before the
   * event goes to the dead-letter queue.
   * @default 1
   */
  readonly retryAttempts?: number;
}

export class CodeSearchFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  /** Failed asynchronous invocations (`invokedBy: 'schedule'` only). */
  readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: CodeSearchFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to this log group, and the bind
    // methods add exactly what else the function needs.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `codesearch ${id} function`,
    });
    this.logGroup.grantWrite(role);

    const { layers: runtime } = props;
    const needsModel = props.embedder || props.model;
    const modelFromBucket = needsModel ? props.modelFromBucket : undefined;
    if ((needsModel || props.lanceDb) && !runtime) {
      throw new Error(
        `${this.node.path}: the model, onnxruntime and LanceDB come from the layers; pass \`layers\``,
      );
    }
    const layers = [
      ...(props.embedder && runtime ? [runtime.onnxRuntime] : []),
      ...(needsModel && !modelFromBucket && runtime ? [modelLayerOf(runtime, this.node.path)] : []),
      ...(props.lanceDb && runtime ? [runtime.lanceDb] : []),
    ];
    const scheduled = props.invokedBy === 'schedule';
    if (!scheduled && props.retryAttempts !== undefined) {
      throw new Error(
        `${this.node.path}: retryAttempts applies to asynchronous (scheduled) invocations only`,
      );
    }
    if (scheduled) {
      this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const endOfTheLine =
        "This queue is a function's dead-letter queue for failed asynchronous invocations: the end of the " +
        'line, read by an operator (the event and the error are in its messages and in the function log).';
      acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', endOfTheLine);
      acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', endOfTheLine);
    }
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      layers,
      ephemeralStorageSize: modelFromBucket?.ephemeralStorage,
      ...(scheduled && this.deadLetterQueue
        ? {
            onFailure: sendOnlyQueueDestination(this.deadLetterQueue),
            retryAttempts: props.retryAttempts ?? 1,
            // A scheduled event older than this is stale: the next one is on its way.
            maxEventAge: Duration.hours(1),
          }
        : {}),
      bundling: functionBundling({
        workers: [...(props.embedder ? [EMBEDDING_WORKER] : []), ...(props.chunker ? [CHUNKING_WORKER] : [])],
        treeSitterGrammars: props.chunker ?? false,
      }),
      environment: {
        ...(needsModel && !modelFromBucket ? { [FUNCTION_ENV.modelDir]: MODEL_DIR_IN_LAMBDA } : {}),
        ...(props.embedder
          ? { [FUNCTION_ENV.embeddingWorker]: `${TASK_ROOT}/${EMBEDDING_WORKER.outfile}` }
          : {}),
        ...(props.chunker
          ? { [FUNCTION_ENV.chunkingWorker]: `${TASK_ROOT}/${CHUNKING_WORKER.outfile}` }
          : {}),
      },
    });
    if (modelFromBucket) bindModelFromBucket(this.fn, modelFromBucket);
    const runtimeChoice =
      'nodejs22.x on purpose: the project targets Node 22 (its `node` devDependency runs the tests), and the ' +
      'native layers are built and tested for it. Moving to a newer runtime is a deliberate upgrade.';
    acknowledge(
      this.fn,
      'Serverless-LambdaDLQ',
      props.invokedBy === 'schedule'
        ? 'Failed asynchronous invocations go to an on-failure destination (an SQS queue of this function), ' +
            'which AWS recommends over a DeadLetterConfig: it records the error and request context too.'
        : NO_DLQ_NEEDED[props.invokedBy],
    );
    acknowledge(this.fn, 'AwsSolutions-L1', runtimeChoice);
    acknowledge(this.fn, 'Serverless-LambdaLatestVersion', runtimeChoice);
    acknowledge(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    );
  }
}

function modelLayerOf(runtime: RuntimeLayers, path: string): lambda.LayerVersion {
  if (!runtime.model) throw new Error(`${path}: there is no model layer; pass \`modelFromBucket\``);
  return runtime.model;
}

/**
 * An SQS on-failure destination granted sqs:SendMessage only (CDK's SqsDestination also grants
 * GetQueueAttributes and GetQueueUrl, which Lambda does not need to deliver a failure record).
 */
function sendOnlyQueueDestination(queue: sqs.IQueue): lambda.IDestination {
  return {
    bind(_scope, fn) {
      queue.grant(fn, 'sqs:SendMessage');
      return { destination: queue.queueArn };
    },
  };
}
