/**
 * What `cdk deploy` would create, resource by resource: the state; the search, webhook, index worker and
 * index upkeep functions with their grants, environment and triggers; the HTTP API; the outputs. One
 * synthesis (without esbuild) serves every assertion; cdk-nag runs as part of it, so it passing at all means
 * no unacknowledged finding.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { TABLE_SHAPES, type TableName } from '#adapters/aws/table-shapes.ts';
import { apiGatewayPath, SEARCH_ROUTES, WEBHOOK_ROUTES } from '#api/gateway-routes.ts';
import { apiRoutes } from '#api/search-api.ts';
import { UpkeepEnvironment } from '../../functions/index-upkeep/upkeep-services.ts';
import { WorkerEnvironment } from '../../functions/index-worker/worker-services.ts';
import { WebhookEnvironment } from '../../functions/webhook/webhook-services.ts';
import { WORKER_MAX_RECEIVES } from '../../infra/codesearch-state.ts';
import { TABLE_ENV } from '../../infra/function-environment.ts';
import { type CfnTemplate, type Synthesized, synthesize } from './helpers/synth.ts';

let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthesize();
  template = synth.template;
});

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = Object.entries((synth.json as CfnTemplate).Resources)
    .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
}

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

type FunctionName = 'Search' | 'Webhook' | 'IndexWorker' | 'IndexUpkeep';
const functionId = (name: FunctionName) => logicalId('AWS::Lambda::Function', `Service${name}Function`);
const tableArn = (prefix: string) => [getAtt(logicalId('AWS::DynamoDB::Table', prefix))];
const queueArn = (prefix: string) => getAtt(logicalId('AWS::SQS::Queue', prefix));
const secretRef = (prefix: string) => ({ Ref: logicalId('AWS::SecretsManager::Secret', prefix) });
const indexObjects = () => ({
  'Fn::Join': ['', [getAtt(logicalId('AWS::S3::Bucket', 'StateIndexBucket')), '/index/*']],
});
const listIndexPrefix = () => ({
  Effect: 'Allow',
  Action: 's3:ListBucket',
  Resource: getAtt(logicalId('AWS::S3::Bucket', 'StateIndexBucket')),
  Condition: { StringLike: { 's3:prefix': ['index', 'index/*'] } },
});
const allow = (Action: string | string[], Resource: unknown) => ({ Effect: 'Allow', Action, Resource });

/** The one inline policy of a function's role, as its statements. */
function statementsOf(name: FunctionName): unknown[] {
  const role = logicalId('AWS::IAM::Role', `Service${name}Role`);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(
    (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]),
  );
  expect(policies, `policies of ${name}`).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument.Statement;
}

/** What every function may do: write its own log group and send traces. */
function baseline(name: FunctionName): unknown[] {
  return [
    allow(
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      getAtt(logicalId('AWS::Logs::LogGroup', `Service${name}Logs`)),
    ),
    allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*'),
  ];
}

function environmentOf(name: FunctionName): Record<string, unknown> {
  const fn = (synth.json as CfnTemplate).Resources[functionId(name)];
  if (!fn) throw new Error(`no ${name} function`);
  return (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
}

/** The variables a handler's zod schema requires (AWS_REGION comes from Lambda itself). */
function requiredVariables(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([name, type]) => name !== 'AWS_REGION' && !(type as z.ZodType).safeParse(undefined).success)
    .map(([name]) => name);
}

describe('the index bucket', () => {
  it('is versioned, encrypted, private, TLS-only, expires old versions and survives stack deletion', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              ExpiredObjectDeleteMarker: true,
            }),
          ],
        },
      },
    });
    const bucket = logicalId('AWS::S3::Bucket', 'StateIndexBucket');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });
});

describe('the DynamoDB tables', () => {
  const retained: readonly TableName[] = ['fileHashes', 'indexState', 'repositories'];

  it('exist once per shape the adapters use, with their keys and TTL attributes', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(TABLE_SHAPES).length);
    for (const [name, shape] of Object.entries(TABLE_SHAPES)) {
      const keys = [shape.partitionKey, ...('sortKey' in shape ? [shape.sortKey] : [])];
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: retained.includes(name as TableName) ? 'Retain' : 'Delete',
        Properties: Match.objectLike({
          KeySchema: keys.map((key, i) => ({ AttributeName: key.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
          AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: 'S' })),
          ...('timeToLiveAttribute' in shape
            ? { TimeToLiveSpecification: { AttributeName: shape.timeToLiveAttribute, Enabled: true } }
            : {}),
        }),
      });
    }
  });

  it('are on-demand, point-in-time recoverable and KMS-encrypted', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    for (const [id, table] of Object.entries(tables)) {
      expect(table.Properties, id).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });
});

describe('the queues', () => {
  it("redrive jobs to an encrypted dead-letter queue after 8 receives — above the worker's own 5 — with a visibility of 6× the worker timeout", () => {
    const deadLetters = logicalId('AWS::SQS::Queue', 'StateIndexJobDeadLetterQueue');
    expect(WORKER_MAX_RECEIVES).toBe(5);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 300,
      MessageRetentionPeriod: 4 * 24 * 3600,
      RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetters), maxReceiveCount: 8 },
    });
    expect((synth.json as CfnTemplate).Resources[deadLetters]?.Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('are three: the job queue, its dead-letter queue, and the upkeep failures, each encrypted and TLS-only', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(3);
    for (const queue of queues) {
      expect((synth.json as CfnTemplate).Resources[queue]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Resource: getAtt(queue),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });
});

describe('the secrets', () => {
  it('are generated by CloudFormation, never given a value', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    for (const [id, secret] of Object.entries(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties.SecretString, id).toBeUndefined();
      expect(secret.Properties.GenerateSecretString, id).toBeDefined();
    }
  });

  it('hold the signing keys as the search API reads them, and a recognisable GitHub token placeholder', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: '{"active":"k1"}',
        GenerateStringKey: 'k1',
        PasswordLength: 64,
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: Match.stringLikeRegexp('placeholder') }),
    });
  });
});

describe('the search function', () => {
  it('runs nodejs22.x on x86_64 with deliberate memory, timeout, tracing, JSON logs and its layers', () => {
    const logs = logicalId('AWS::Logs::LogGroup', 'ServiceSearchLogs');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['x86_64'],
      MemorySize: 2048,
      Timeout: 20,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logs } },
      Layers: ['OnnxRuntime', 'Model', 'LanceDb'].map((layer) => ({
        Ref: logicalId('AWS::Lambda::LayerVersion', `ServiceLayers${layer}`),
      })),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('gets names and ARNs in its environment, and nothing else', () => {
    const bucket = logicalId('AWS::S3::Bucket', 'StateIndexBucket');
    expect(environmentOf('Search')).toEqual({
      CODESEARCH_INDEX_URI: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/index']] },
      CODESEARCH_MODEL_DIR: '/opt/model',
      CODESEARCH_EMBEDDING_WORKER: '/var/task/embedding-worker.mjs',
      CODESEARCH_KEYS_SECRET_ID: secretRef('StateSigningKeys'),
      CODESEARCH_INDEX_STATE_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StateIndexStateTable') },
      CODESEARCH_REPOSITORIES_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StateRepositoriesTable') },
      CODESEARCH_QUERY_CACHE_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StateQueryCacheTable') },
      CODESEARCH_JOB_QUEUE_URL: { Ref: logicalId('AWS::SQS::Queue', 'StateIndexJobQueue') },
    });
  });

  it('may read the index prefix, the signing keys and the index state, read and write the registry and the query cache, queue re-indexing and removals, and nothing else', () => {
    expect(statementsOf('Search')).toEqual([
      ...baseline('Search'),
      allow('s3:GetObject', indexObjects()),
      listIndexPrefix(),
      allow('secretsmanager:GetSecretValue', secretRef('StateSigningKeys')),
      allow(['dynamodb:GetItem', 'dynamodb:Scan'], tableArn('StateIndexStateTable')),
      // GetItem to re-index; PutItem and DeleteItem for the admin routes PUT and DELETE /repos/{repo}
      allow(
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
        tableArn('StateRepositoriesTable'),
      ),
      allow(['dynamodb:GetItem', 'dynamodb:PutItem'], tableArn('StateQueryCacheTable')),
      allow('sqs:SendMessage', queueArn('StateIndexJobQueue')),
    ]);
  });
});

describe('the webhook function', () => {
  it('is small and quick: no layers, 512 MB, 10 s (GitHub gives a webhook 10 s)', () => {
    const props = (synth.json as CfnTemplate).Resources[functionId('Webhook')]?.Properties;
    expect(props).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['x86_64'],
      MemorySize: 512,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: {
        LogFormat: 'JSON',
        LogGroup: { Ref: logicalId('AWS::Logs::LogGroup', 'ServiceWebhookLogs') },
      },
    });
    expect(props?.Layers).toBeUndefined();
    expect(props?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('gets the webhook secret, the job queue and its two tables by name', () => {
    expect(environmentOf('Webhook')).toEqual({
      CODESEARCH_WEBHOOK_SECRET_ID: secretRef('StateGitHubWebhookSecret'),
      CODESEARCH_JOB_QUEUE_URL: { Ref: logicalId('AWS::SQS::Queue', 'StateIndexJobQueue') },
      CODESEARCH_REPOSITORIES_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StateRepositoriesTable') },
      CODESEARCH_DELIVERIES_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StateWebhookDeliveriesTable') },
    });
  });

  it('may read the webhook secret, read and enrol in the registry, record deliveries, queue jobs, and nothing else', () => {
    expect(statementsOf('Webhook')).toEqual([
      ...baseline('Webhook'),
      allow('secretsmanager:GetSecretValue', secretRef('StateGitHubWebhookSecret')),
      allow('sqs:SendMessage', queueArn('StateIndexJobQueue')),
      // GetItem per delivery; PutItem and DeleteItem for a GitHub App's installation events
      allow(
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
        tableArn('StateRepositoriesTable'),
      ),
      allow(
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        tableArn('StateWebhookDeliveriesTable'),
      ),
    ]);
  });
});

describe('the index worker', () => {
  it('has the embedder, the chunker and LanceDB, 3,008 MB and the 5-minute timeout the queue was sized for', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Description: Match.stringLikeRegexp('index worker'),
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      MemorySize: 3008,
      Timeout: 300,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: {
        LogFormat: 'JSON',
        LogGroup: { Ref: logicalId('AWS::Logs::LogGroup', 'ServiceIndexWorkerLogs') },
      },
      Layers: ['OnnxRuntime', 'Model', 'LanceDb'].map((layer) => ({
        Ref: logicalId('AWS::Lambda::LayerVersion', `ServiceLayers${layer}`),
      })),
    });
  });

  it('consumes the job queue one job per invocation, reporting failures per job, at most 10 at once', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn('StateIndexJobQueue'),
      FunctionName: { Ref: functionId('IndexWorker') },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('gets every resource it uses by name, and its own dead-letter limit', () => {
    const bucket = logicalId('AWS::S3::Bucket', 'StateIndexBucket');
    const table = (prefix: string) => ({ Ref: logicalId('AWS::DynamoDB::Table', prefix) });
    expect(environmentOf('IndexWorker')).toEqual({
      CODESEARCH_INDEX_URI: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/index']] },
      CODESEARCH_MODEL_DIR: '/opt/model',
      CODESEARCH_EMBEDDING_WORKER: '/var/task/embedding-worker.mjs',
      CODESEARCH_CHUNKING_WORKER: '/var/task/chunking-worker.mjs',
      CODESEARCH_FILE_HASH_TABLE: table('StateFileHashTable'),
      CODESEARCH_EMBEDDING_CACHE_TABLE: table('StateEmbeddingCacheTable'),
      CODESEARCH_INDEX_STATE_TABLE: table('StateIndexStateTable'),
      CODESEARCH_JOB_QUEUE_URL: { Ref: logicalId('AWS::SQS::Queue', 'StateIndexJobQueue') },
      CODESEARCH_DEAD_LETTER_QUEUE_URL: { Ref: logicalId('AWS::SQS::Queue', 'StateIndexJobDeadLetterQueue') },
      CODESEARCH_GITHUB_TOKEN_SECRET_ID: secretRef('StateGitHubToken'),
      CODESEARCH_MAX_RECEIVES: '5',
    });
  });

  it('may write the index prefix and its tables, use both queues and read the token, and nothing else', () => {
    expect(statementsOf('IndexWorker')).toEqual([
      ...baseline('IndexWorker'),
      allow(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], indexObjects()),
      listIndexPrefix(),
      allow(
        ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query'],
        tableArn('StateFileHashTable'),
      ),
      allow(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], tableArn('StateEmbeddingCacheTable')),
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        tableArn('StateIndexStateTable'),
      ),
      allow('sqs:SendMessage', queueArn('StateIndexJobQueue')),
      allow('sqs:SendMessage', queueArn('StateIndexJobDeadLetterQueue')),
      allow('secretsmanager:GetSecretValue', secretRef('StateGitHubToken')),
      // The event source mapping polls with the function's role
      allow(
        [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        queueArn('StateIndexJobQueue'),
      ),
    ]);
  });
});

describe('the index upkeep function', () => {
  it('runs one at a time with the model (for its id) and LanceDB, but no onnxruntime', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('upkeep'),
      Runtime: 'nodejs22.x',
      MemorySize: 3008,
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      TracingConfig: { Mode: 'Active' },
      Layers: ['Model', 'LanceDb'].map((layer) => ({
        Ref: logicalId('AWS::Lambda::LayerVersion', `ServiceLayers${layer}`),
      })),
    });
    const bucket = logicalId('AWS::S3::Bucket', 'StateIndexBucket');
    expect(environmentOf('IndexUpkeep')).toEqual({
      CODESEARCH_INDEX_URI: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/index']] },
      CODESEARCH_MODEL_DIR: '/opt/model',
      CODESEARCH_VERSION_RETENTION_HOURS: '168',
      // Rebuilds after a model change: index states, registrations, the job queue
      CODESEARCH_INDEX_STATE_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StateIndexStateTable') },
      CODESEARCH_REPOSITORIES_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StateRepositoriesTable') },
      CODESEARCH_JOB_QUEUE_URL: { Ref: logicalId('AWS::SQS::Queue', 'StateIndexJobQueue') },
    });
  });

  it('is invoked by an EventBridge schedule every 30 minutes, longer than its 15-minute timeout', () => {
    const rule = logicalId('AWS::Events::Rule', 'ServiceUpkeepSchedule');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: getAtt(functionId('IndexUpkeep')),
          DeadLetterConfig: { Arn: queueArn('ServiceIndexUpkeepDeadLetterQueue') },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(functionId('IndexUpkeep')),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(rule),
    });
  });

  it('sends failed runs, after one retry, to its own dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId('IndexUpkeep') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: queueArn('ServiceIndexUpkeepDeadLetterQueue') } },
    });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    // EventBridge may put events it could not deliver there too, but only from this rule
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId('AWS::SQS::Queue', 'ServiceIndexUpkeepDeadLetterQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: { 'aws:SourceArn': getAtt(logicalId('AWS::Events::Rule', 'ServiceUpkeepSchedule')) },
            },
          }),
        ]),
      },
    });
  });

  it('may write the index prefix, rebuild markers, jobs and its dead-letter queue, and nothing else', () => {
    expect(statementsOf('IndexUpkeep')).toEqual([
      ...baseline('IndexUpkeep'),
      allow('sqs:SendMessage', queueArn('ServiceIndexUpkeepDeadLetterQueue')),
      allow(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], indexObjects()),
      listIndexPrefix(),
      allow(['dynamodb:PutItem', 'dynamodb:Scan'], tableArn('StateIndexStateTable')),
      allow('dynamodb:Scan', tableArn('StateRepositoriesTable')),
      allow('sqs:SendMessage', queueArn('StateIndexJobQueue')),
    ]);
  });
});

describe('every function', () => {
  it('is one of four, each with a role of its own and no AWS managed policies', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(4);
    for (const [id, role] of Object.entries(roles)) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement, id).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  it('logs to a log group of its own, kept for a month', () => {
    for (const name of ['Search', 'Webhook', 'IndexWorker', 'IndexUpkeep'] as const) {
      const logs = logicalId('AWS::Logs::LogGroup', `Service${name}Logs`);
      expect((synth.json as CfnTemplate).Resources[logs]?.Properties, name).toEqual({ RetentionInDays: 30 });
      expect(
        (synth.json as CfnTemplate).Resources[functionId(name)]?.Properties?.LoggingConfig,
        name,
      ).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: logs } });
    }
  });

  it('is given every variable its handler requires', () => {
    const required: [FunctionName, z.ZodObject][] = [
      ['Webhook', WebhookEnvironment],
      ['IndexWorker', WorkerEnvironment],
      ['IndexUpkeep', UpkeepEnvironment],
    ];
    for (const [name, schema] of required) {
      const given = Object.keys(environmentOf(name));
      expect(given, name).toEqual(expect.arrayContaining(requiredVariables(schema)));
      // …and nothing its handler does not read
      expect(Object.keys(schema.shape), name).toEqual(
        // (The worker scripts are read by the embedder and the chunker, not by the handler's schema.)
        expect.arrayContaining(
          given.filter(
            (variable) =>
              variable !== 'CODESEARCH_EMBEDDING_WORKER' && variable !== 'CODESEARCH_CHUNKING_WORKER',
          ),
        ),
      );
    }
  });
});

describe('the HTTP API', () => {
  /** Route keys by the function their integration invokes. */
  function routesTo(name: FunctionName): string[] {
    const integrations = Object.entries(template.findResources('AWS::ApiGatewayV2::Integration'))
      .filter(
        ([, integration]) =>
          JSON.stringify(integration.Properties.IntegrationUri) === JSON.stringify(getAtt(functionId(name))),
      )
      .map(([id]) => id);
    expect(integrations, `integrations of ${name}`).toHaveLength(1);
    return Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter((route) => route.Properties.Target['Fn::Join'][1][1].Ref === integrations[0])
      .map((route) => route.Properties.RouteKey)
      .sort();
  }

  it('routes every search route to the search function and POST /webhooks/github to the webhook, payload 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    for (const name of ['Search', 'Webhook'] as const) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: getAtt(functionId(name)),
        PayloadFormatVersion: '2.0',
      });
    }
    const search = routesTo('Search');
    const expected = new Set(SEARCH_ROUTES.map((route) => `${route.method} ${apiGatewayPath(route.path)}`));
    expect(search).toEqual([...expected].sort());
    expect(search).toEqual(expect.arrayContaining(['POST /search', 'GET /health', 'POST /repos/{repo+}']));
    expect(routesTo('Webhook')).toEqual(['POST /webhooks/github']);
    expect(WEBHOOK_ROUTES).toEqual([{ method: 'POST', path: '/webhooks/github' }]);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', search.length + 1);
    for (const [name, count] of [
      ['Search', search.length],
      ['Webhook', 1],
    ] as const) {
      template.resourcePropertiesCountIs(
        'AWS::Lambda::Permission',
        { Principal: 'apigateway.amazonaws.com', FunctionName: getAtt(functionId(name)) },
        count,
      );
    }
  });

  it('lists the same routes as the search API itself', () => {
    const declared = apiRoutes().map((route) => `${route.method} ${route.path}`);
    expect(SEARCH_ROUTES.map((route) => `${route.method} ${route.path}`).sort()).toEqual(declared.sort());
  });

  it('throttles by default and writes JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: getAtt(logicalId('AWS::Logs::LogGroup', 'ServiceHttpApiAccessLogs')),
        Format: Match.serializedJson(
          Match.objectLike({ requestId: '$context.requestId', status: '$context.status' }),
        ),
      },
    });
  });
});

describe('the layers', () => {
  it('are built for nodejs22.x on x86_64', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::LayerVersion',
      { CompatibleRuntimes: ['nodejs22.x'], CompatibleArchitectures: ['x86_64'] },
      3,
    );
  });
});

describe('the outputs', () => {
  it('give the API and webhook URLs and the names an operator needs', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(
      [
        'ApiUrl',
        'DeadLetterQueueUrl',
        'GitHubTokenSecretName',
        'GitHubWebhookSecretName',
        'IndexBucketName',
        'JobQueueUrl',
        'McpUrl',
        'RepositoriesTableName',
        'SigningKeysSecretName',
        'UpkeepDeadLetterQueueUrl',
        'WebhookUrl',
      ].sort(),
    );
  });

  it("give the webhook's payload URL: the API's URL plus the webhook route", () => {
    const api = logicalId('AWS::ApiGatewayV2::Api', 'ServiceHttpApi');
    template.hasOutput('WebhookUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: api },
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/webhooks/github',
          ],
        ],
      },
    });
    // The MCP endpoint is the API's URL plus the route the search function serves it on.
    template.hasOutput('McpUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: api },
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/mcp',
          ],
        ],
      },
    });
    template.hasOutput('RepositoriesTableName', {
      Value: { Ref: logicalId('AWS::DynamoDB::Table', 'StateRepositoriesTable') },
    });
    template.hasOutput('JobQueueUrl', { Value: { Ref: logicalId('AWS::SQS::Queue', 'StateIndexJobQueue') } });
  });
});

describe('the template as a whole', () => {
  it('matches the snapshot, asset hashes aside', () => {
    const masked = JSON.parse(
      JSON.stringify(synth.json).replace(/[0-9a-f]{64}/g, '<asset-hash>'),
    ) as CfnTemplate;
    const { CDKMetadata: _analytics, ...resources } = masked.Resources;
    expect({ ...masked, Resources: resources }).toMatchSnapshot();
  });

  it('names every table in the environment variable its adapter reads', () => {
    expect(Object.keys(TABLE_ENV).sort()).toEqual(Object.keys(TABLE_SHAPES).sort());
  });
});

describe('the deploy options (CDK context)', () => {
  it('set memory, reserved concurrency and API throttling', () => {
    const custom = synthesize({
      context: { searchMemory: '3008', searchConcurrency: '5', apiRateLimit: '20', apiBurstLimit: '40' },
    }).template;
    custom.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 3008,
      ReservedConcurrentExecutions: 5,
    });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  it('bound the index workers and let whole owners in through the webhook', () => {
    const custom = synthesize({ context: { indexConcurrency: '25', allowedOwners: 'acme, widgets-inc' } });
    custom.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 25 },
    });
    // …and the search API, whose reindex starts the first index of a repository the webhook would accept
    for (const description of ['webhook', 'search API'])
      custom.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: { Variables: Match.objectLike({ CODESEARCH_ALLOWED_OWNERS: 'acme,widgets-inc' }) },
      });
    expect(environmentOf('Webhook').CODESEARCH_ALLOWED_OWNERS).toBeUndefined(); // not by default
    expect(environmentOf('Search').CODESEARCH_ALLOWED_OWNERS).toBeUndefined();
  });

  it('load the model from a bucket instead of the layer when modelS3Uri is given', () => {
    // prepare
    const fromBucket = synthesize({
      context: { modelS3Uri: 's3://my-models/codesearch/big', modelEphemeralStorageMb: '4096' },
    });
    const json = fromBucket.json as CfnTemplate;
    const idOf = (type: string, prefix: string) =>
      Object.keys(json.Resources).filter((id) => json.Resources[id]?.Type === type && id.startsWith(prefix));
    const modelObjects = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-models/codesearch/big/*']],
    };
    const modelBucket = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-models']] };
    // assess: no model layer at all, and the three functions that read the model get the bucket instead
    expect(idOf('AWS::Lambda::LayerVersion', 'ServiceLayersModel')).toEqual([]);
    const [lanceDb] = idOf('AWS::Lambda::LayerVersion', 'ServiceLayersLanceDb');
    const [onnx] = idOf('AWS::Lambda::LayerVersion', 'ServiceLayersOnnxRuntime');
    const layersOf: Record<string, (string | undefined)[]> = {
      Search: [onnx, lanceDb],
      IndexWorker: [onnx, lanceDb],
      IndexUpkeep: [lanceDb],
    };
    for (const [name, layers] of Object.entries(layersOf)) {
      const [fnId] = idOf('AWS::Lambda::Function', `Service${name}Function`);
      const props = json.Resources[fnId ?? '']?.Properties as {
        Layers: unknown[];
        EphemeralStorage: unknown;
        Environment: { Variables: Record<string, unknown> };
      };
      expect(props.Layers, name).toEqual(layers.map((id) => ({ Ref: id })));
      expect(props.EphemeralStorage, name).toEqual({ Size: 4096 });
      expect(props.Environment.Variables.CODESEARCH_MODEL_URI, name).toBe('s3://my-models/codesearch/big/');
      expect(props.Environment.Variables.CODESEARCH_MODEL_DIR, name).toBeUndefined();
      const [roleId] = idOf('AWS::IAM::Role', `Service${name}Role`);
      fromBucket.template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            allow('s3:GetObject', modelObjects),
            {
              Effect: 'Allow',
              Action: 's3:ListBucket',
              Resource: modelBucket,
              Condition: { StringLike: { 's3:prefix': ['codesearch/big', 'codesearch/big/*'] } },
            },
          ]),
        },
      });
    }
    // …and nothing changes for the webhook, which has no model
    const [webhookId] = idOf('AWS::Lambda::Function', 'ServiceWebhookFunction');
    const webhook = json.Resources[webhookId ?? '']?.Properties as Record<string, unknown>;
    expect(webhook.EphemeralStorage).toBeUndefined();
    expect(JSON.stringify(webhook)).not.toContain('my-models');
    // by default: the model layer, /opt/model, Lambda's default /tmp, and no model grant
    for (const name of ['Search', 'IndexWorker', 'IndexUpkeep'] as const) {
      expect(environmentOf(name).CODESEARCH_MODEL_URI).toBeUndefined();
      expect(synth.json.Resources[functionId(name)]?.Properties?.EphemeralStorage).toBeUndefined();
    }
  });

  it('give the model bucket 2 GB of /tmp by default, and refuse a model from both places', () => {
    const fromBucket = synthesize({ context: { modelS3Uri: 's3://my-models/big/' } });
    fromBucket.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        EphemeralStorage: { Size: 2048 },
        Environment: { Variables: Match.objectLike({ CODESEARCH_MODEL_URI: 's3://my-models/big/' }) },
      },
      3,
    );
    expect(() =>
      synthesize({ context: { modelS3Uri: 's3://my-models/big/', model: 'models/default' } }),
    ).toThrow(/model and modelS3Uri exclude each other/);
    expect(() => synthesize({ context: { modelS3Uri: 'https://my-models/big/' } })).toThrow(
      /modelS3Uri must be s3:\/\/bucket\/prefix/,
    );
    expect(() => synthesize({ context: { modelS3Uri: 's3://my-models/' } })).toThrow(/non-empty key prefix/);
    expect(() => synthesize({ context: { modelEphemeralStorageMb: '4096' } })).toThrow(
      /modelEphemeralStorageMb applies only with modelS3Uri/,
    );
    expect(() =>
      synthesize({ context: { modelS3Uri: 's3://my-models/big/', modelEphemeralStorageMb: '256' } }),
    ).toThrow(/modelEphemeralStorageMb must be at least 512/);
  });

  it('are validated, naming the bad key', () => {
    expect(() => synthesize({ context: { searchMemory: 'lots' } })).toThrow(/searchMemory must be a number/);
    expect(() => synthesize({ context: { architecture: 'sparc' } })).toThrow(/architecture must be one of/);
    // SQS event sources allow a maximum concurrency of 2 to 1,000
    expect(() => synthesize({ context: { indexConcurrency: '1' } })).toThrow(
      /indexConcurrency must be at least 2/,
    );
    expect(() => synthesize({ context: { allowedOwners: 'acme;widgets' } })).toThrow(
      /allowedOwners must be GitHub owner names/,
    );
  });

  it('explain why arm64 cannot be built with this LanceDB', () => {
    expect(() => synthesize({ context: { architecture: 'arm64' } })).toThrow(
      /lancedb-linux-arm64-gnu.*x86_64/s,
    );
  });
});
