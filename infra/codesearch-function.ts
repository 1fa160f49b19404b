/**
 * A codesearch Lambda function: nodejs22.x, bundled locally with esbuild, its own log group with a retention,
 * its own role with no managed policies, X-Ray tracing, and the layers it declares it needs. Adding a
 * function (the webhook, the index worker) is one `new CodeSearchFunction(…)` plus the state it binds.
 */
import { join } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../scripts/layers/index.ts';
import { EMBEDDING_WORKER, functionBundling } from './bundling/function-bundling.ts';
import { FUNCTION_ENV } from './function-environment.ts';
import { acknowledge } from './nag-acknowledgements.ts';
import { MODEL_DIR_IN_LAMBDA, type RuntimeLayers } from './runtime-layers.ts';

/** Lambda puts the function's files here. */
const TASK_ROOT = '/var/task';

/**
 * Who invokes the function. Both are synchronous invocations: a failure goes back to API Gateway's caller, or
 * back to SQS, whose redrive policy moves the job to the dead-letter queue. So no function needs a DLQ of
 * its own.
 */
export type InvokedBy = 'api' | 'queue';

const NO_DLQ_NEEDED: Readonly<Record<InvokedBy, string>> = {
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
   * The function opens LanceDB: add the LanceDB layer (with apache-arrow).
   * @default false
   */
  readonly lanceDb?: boolean;
  /**
   * The function chunks source files: ship the tree-sitter runtime and grammars (22 MB) with it.
   * @default false
   */
  readonly chunker?: boolean;
  /** @default no reserved concurrency (the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class CodeSearchFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;

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
    if ((props.embedder || props.lanceDb) && !runtime) {
      throw new Error(`${this.node.path}: the embedder and LanceDB come from the layers; pass \`layers\``);
    }
    const layers = [
      ...(props.embedder && runtime ? [runtime.onnxRuntime, runtime.model] : []),
      ...(props.lanceDb && runtime ? [runtime.lanceDb] : []),
    ];
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
      bundling: functionBundling({
        workers: props.embedder ? [EMBEDDING_WORKER] : [],
        treeSitterGrammars: props.chunker ?? false,
      }),
      environment: props.embedder
        ? {
            [FUNCTION_ENV.modelDir]: MODEL_DIR_IN_LAMBDA,
            [FUNCTION_ENV.embeddingWorker]: `${TASK_ROOT}/${EMBEDDING_WORKER.outfile}`,
          }
        : {},
    });
    const runtimeChoice =
      'nodejs22.x on purpose: the project targets Node 22 (its `node` devDependency runs the tests), and the ' +
      'native layers are built and tested for it. Moving to a newer runtime is a deliberate upgrade.';
    acknowledge(this.fn, 'Serverless-LambdaDLQ', NO_DLQ_NEEDED[props.invokedBy]);
    acknowledge(this.fn, 'AwsSolutions-L1', runtimeChoice);
    acknowledge(this.fn, 'Serverless-LambdaLatestVersion', runtimeChoice);
    acknowledge(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    );
  }
}
