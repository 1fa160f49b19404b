/**
 * Everything codesearch keeps: the LanceDB index in S3, the DynamoDB tables, the indexing queue and the
 * secrets. Functions get access through the `bind…` methods, each of which grants exactly the IAM actions
 * that access needs and sets the environment variable naming the resource, so the two never drift apart.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE_ACCESS, type TableAccess } from '#adapters/aws/table-access.ts';
import { TABLE_SHAPES, type TableName, type TableShape } from '#adapters/aws/table-shapes.ts';
import { FUNCTION_ENV, TABLE_ENV } from './function-environment.ts';
import { acknowledge, nagAttributeRef } from './nag-acknowledgements.ts';

export type Access = 'read' | 'readWrite';

/** SQS needs the visibility timeout to be at least this many times the consumer's timeout (AWS guidance). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * Receives after which the index worker moves a failing job to the dead-letter queue itself, with its reason
 * (CODESEARCH_MAX_RECEIVES). The queue's redrive policy must allow more, so that it stays the backstop for
 * the cases the worker cannot report (a timeout, a crash).
 */
export const WORKER_MAX_RECEIVES = 5;

/** Prefix of the LanceDB database in the bucket; the rest of the bucket stays free for other uses (models). */
export const INDEX_PREFIX = 'index';

export interface CodeSearchStateProps {
  /**
   * Timeout of the function that consumes the indexing queue. The queue's visibility timeout is this times
   * six, so a message is never redelivered while a worker (with its retries) may still be on it.
   * @default Duration.minutes(5)
   */
  readonly indexWorkerTimeout?: Duration;
  /**
   * Receives before SQS moves an indexing job to the dead-letter queue. Above the worker's own limit
   * (`WORKER_MAX_RECEIVES`), at which it dead-letters a job with the reason: SQS's move, without a reason, is
   * only for jobs whose invocations timed out or crashed.
   * @default 8
   */
  readonly maxReceiveCount?: number;
  /**
   * How long S3 keeps an index object after it was overwritten or deleted. LanceDB's own version cleanup
   * deletes old table versions; this bounds how long their bytes stay recoverable (and billed).
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;
}

export interface JobQueueConsumerOptions {
  /**
   * Jobs per invocation.
   * @default 1
   */
  readonly batchSize?: number;
  /**
   * Most concurrent invocations the queue may drive (SQS event source maximum concurrency, at least 2).
   * @default 10
   */
  readonly maxConcurrency?: number;
}

export class CodeSearchState extends Construct {
  readonly indexBucket: s3.Bucket;
  /** One table per shape in src/adapters/aws/table-shapes.ts, which the adapters and emulator tests share. */
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;
  readonly jobQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly signingKeys: secretsmanager.Secret;
  readonly webhookSecret: secretsmanager.Secret;
  readonly githubToken: secretsmanager.Secret;
  /** The worker timeout the queue's visibility timeout was sized for. */
  readonly indexWorkerTimeout: Duration;
  /** Receives before the job queue's redrive policy moves a job to the dead-letter queue. */
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: CodeSearchStateProps = {}) {
    super(scope, id);
    this.indexWorkerTimeout = props.indexWorkerTimeout ?? Duration.minutes(5);
    this.maxReceiveCount = props.maxReceiveCount ?? 8;
    if (this.maxReceiveCount <= WORKER_MAX_RECEIVES) {
      throw new Error(
        `maxReceiveCount must be above the worker's own limit of ${WORKER_MAX_RECEIVES} receives, ` +
          `got ${this.maxReceiveCount}: the worker dead-letters with a reason, the redrive policy is the backstop`,
      );
    }

    this.indexBucket = new s3.Bucket(this, 'IndexBucket', {
      versioned: true,
      // SSE-S3 rather than KMS: LanceDB reads many small ranges per query, and SSE-KMS would add a KMS
      // request (cost and throttling) to each.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'ExpireOldIndexVersions',
          noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          expiredObjectDeleteMarker: true,
        },
      ],
      // The index is rebuildable but costs hours of embedding: deleting the stack must not delete it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.indexBucket,
      'AwsSolutions-S1',
      "Only the stack's own functions touch this bucket, with a LanceDB request pattern of many small reads; " +
        'server access logs would cost more than the data. CloudTrail data events can be enabled for audits.',
    );

    this.tables = {
      fileHashes: this.table('FileHashTable', TABLE_SHAPES.fileHashes, RemovalPolicy.RETAIN),
      embeddingCache: this.table('EmbeddingCacheTable', TABLE_SHAPES.embeddingCache, RemovalPolicy.DESTROY),
      indexState: this.table('IndexStateTable', TABLE_SHAPES.indexState, RemovalPolicy.RETAIN),
      // The operator's list of repositories: not rebuildable from anything else.
      repositories: this.table('RepositoriesTable', TABLE_SHAPES.repositories, RemovalPolicy.RETAIN),
      webhookDeliveries: this.table(
        'WebhookDeliveriesTable',
        TABLE_SHAPES.webhookDeliveries,
        RemovalPolicy.DESTROY,
      ),
      queryCache: this.table('QueryCacheTable', TABLE_SHAPES.queryCache, RemovalPolicy.DESTROY),
    };

    this.deadLetterQueue = new sqs.Queue(this, 'IndexJobDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the job queue's retention, so a job never expires on its way to the dead-letter queue.
      retentionPeriod: Duration.days(14),
    });
    const isTheDeadLetterQueue =
      "This queue is the job queue's dead-letter queue: the end of the line, emptied by an operator redrive.";
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', isTheDeadLetterQueue);
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', isTheDeadLetterQueue);
    this.jobQueue = new sqs.Queue(this, 'IndexJobQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(this.indexWorkerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });

    // The key set the search API reads: `{"active":"k1","k1":"<64 random characters>"}`. Rotation adds a key
    // and makes it active, keeping the old one until the tokens it signed have expired (infra/README.md).
    this.signingKeys = new secretsmanager.Secret(this, 'SigningKeys', {
      description: 'codesearch: keys that sign and verify API tokens (generated by CloudFormation)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ active: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    this.webhookSecret = new secretsmanager.Secret(this, 'GitHubWebhookSecret', {
      description: 'codesearch: secret of the GitHub push webhook (X-Hub-Signature-256)',
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    // CloudFormation must not hold the token, so the secret starts as a recognisable placeholder (JSON with a
    // "placeholder" field) and the operator puts the real token in with the AWS CLI.
    this.githubToken = new secretsmanager.Secret(this, 'GitHubToken', {
      description: 'codesearch: GitHub token for reading repositories (replace the generated placeholder)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ placeholder: 'replace this value with a GitHub token' }),
        generateStringKey: 'value',
        passwordLength: 16,
        excludePunctuation: true,
      },
    });
    const rotation =
      'Rotated by the operator, not by a rotation Lambda: the value must match what is configured in GitHub ' +
      '(webhook secret, token) or in issued API tokens; infra/README.md describes the procedure.';
    for (const secret of [this.signingKeys, this.webhookSecret, this.githubToken]) {
      acknowledge(secret, 'AwsSolutions-SMG4', rotation);
    }
  }

  private table(id: string, shape: TableShape, removalPolicy: RemovalPolicy): dynamodb.Table {
    const attribute = (key: TableShape['partitionKey']) => ({
      name: key.name,
      type: dynamodb.AttributeType.STRING,
    });
    return new dynamodb.Table(this, id, {
      partitionKey: attribute(shape.partitionKey),
      sortKey: shape.sortKey ? attribute(shape.sortKey) : undefined,
      timeToLiveAttribute: shape.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
  }

  /** LanceDB on S3 (`s3://bucket/index`): read to search, readWrite to index. */
  bindIndex(fn: lambda.Function, access: Access): void {
    const objects = this.indexBucket.arnForObjects(`${INDEX_PREFIX}/*`);
    const objectActions = ['s3:GetObject', ...(access === 'readWrite' ? WRITE_OBJECT_ACTIONS : [])];
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: objectActions, resources: [objects] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.indexBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [INDEX_PREFIX, `${INDEX_PREFIX}/*`] } },
      }),
    );
    fn.addEnvironment(FUNCTION_ENV.indexUri, `s3://${this.indexBucket.bucketName}/${INDEX_PREFIX}`);
    acknowledge(
      fn.role ?? fn,
      `AwsSolutions-IAM5[Resource::${nagAttributeRef(this, this.indexBucket.bucketArn)}/${INDEX_PREFIX}/*]`,
      'A LanceDB table is many objects (data fragments, indexes, versions) below the index prefix, named at ' +
        'run time; the grant is limited to that prefix.',
    );
  }

  /**
   * A DynamoDB table, with exactly the actions of the adapters `fn` runs on it (src/adapters/aws/table-access.ts),
   * e.g. `bindTable(fn, 'indexState', ['indexStateWriter'])`.
   */
  bindTable(fn: lambda.Function, name: TableName, uses: readonly TableAccess[]): void {
    const table = this.tables[name];
    const actions = [...new Set(uses.flatMap((use) => TABLE_ACCESS[use]))].sort();
    if (actions.length === 0) throw new Error(`${fn.node.path}: bindTable(${name}) needs at least one use`);
    table.grant(fn, ...actions);
    fn.addEnvironment(TABLE_ENV[name], table.tableName);
  }

  /** Lets `fn` enqueue indexing jobs (SendMessageBatch needs sqs:SendMessage, nothing else). */
  bindJobQueueProducer(fn: lambda.Function): void {
    this.jobQueue.grant(fn, 'sqs:SendMessage');
    fn.addEnvironment(FUNCTION_ENV.jobQueueUrl, this.jobQueue.queueUrl);
  }

  /** Lets `fn` move a job to the dead-letter queue itself, with the reason, before SQS would. */
  bindDeadLetterQueueProducer(fn: lambda.Function): void {
    this.deadLetterQueue.grant(fn, 'sqs:SendMessage');
    fn.addEnvironment(FUNCTION_ENV.deadLetterQueueUrl, this.deadLetterQueue.queueUrl);
  }

  /**
   * Makes `fn` the consumer of the job queue, reporting failures per message (a failed job is retried alone;
   * the worker dead-letters it with its reason after `WORKER_MAX_RECEIVES` receives, SQS after
   * `maxReceiveCount`), with bounded concurrency. The event source's grants (receive, delete, change
   * visibility, queue attributes) are the role's, as Lambda polls with it; the worker itself changes the
   * visibility of rate-limited jobs.
   * @throws Error if `fn`'s timeout is longer than the queue's visibility timeout was sized for.
   */
  bindJobQueueConsumer(fn: lambda.Function, options: JobQueueConsumerOptions = {}): void {
    const timeout = fn.timeout?.toSeconds() ?? 3;
    if (timeout > this.indexWorkerTimeout.toSeconds()) {
      throw new Error(
        `${fn.node.path} has a ${timeout} s timeout but the job queue was sized for workers of ` +
          `${this.indexWorkerTimeout.toSeconds()} s: pass indexWorkerTimeout to CodeSearchState`,
      );
    }
    fn.addEventSource(
      new SqsEventSource(this.jobQueue, {
        batchSize: options.batchSize ?? 1,
        maxConcurrency: options.maxConcurrency ?? 10,
        reportBatchItemFailures: true,
      }),
    );
    fn.addEnvironment(FUNCTION_ENV.maxReceives, String(WORKER_MAX_RECEIVES));
    acknowledge(
      fn,
      'Serverless-LambdaEventSourceMappingDestination',
      "SQS event sources take no on-failure destination (that is for streams); the job queue's redrive " +
        'policy sends failed jobs to the dead-letter queue instead.',
    );
  }

  /** The API token signing keys (the search function). Secrets are only ever read with GetSecretValue. */
  bindSigningKeys(fn: lambda.Function): void {
    grantGetSecretValue(fn, this.signingKeys);
    fn.addEnvironment(FUNCTION_ENV.signingKeysSecret, this.signingKeys.secretArn);
  }

  /** The secret GitHub signs webhook deliveries with (the webhook function). */
  bindWebhookSecret(fn: lambda.Function): void {
    grantGetSecretValue(fn, this.webhookSecret);
    fn.addEnvironment(FUNCTION_ENV.webhookSecret, this.webhookSecret.secretArn);
  }

  /** The GitHub token the index worker reads repositories with. */
  bindGitHubToken(fn: lambda.Function): void {
    grantGetSecretValue(fn, this.githubToken);
    fn.addEnvironment(FUNCTION_ENV.githubTokenSecret, this.githubToken.secretArn);
  }
}

/**
 * GetSecretValue and nothing else (`grantRead` adds DescribeSecret, which no function calls). The secrets use
 * the account's `aws/secretsmanager` key, which needs no grant of its own.
 */
function grantGetSecretValue(fn: lambda.Function, secret: secretsmanager.ISecret): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
}

/** LanceDB writes with conditional PUTs, deletes old fragments, and uploads large files in parts. */
const WRITE_OBJECT_ACTIONS = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];
