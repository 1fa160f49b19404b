/**
 * What `cdk deploy` would create, resource by resource: the state, the search function with its grants and
 * environment, the HTTP API, the outputs. One synthesis (without esbuild) serves every assertion; cdk-nag
 * runs as part of it, so it passing at all means no unacknowledged finding.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_SHAPES, type TableName } from '#adapters/aws/table-shapes.ts';
import { apiRoutes } from '#api/search-api.ts';
import { apiGatewayPath, SEARCH_ROUTES } from '../../infra/api-routes.ts';
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

describe('the job queue', () => {
  it('redrives to an encrypted dead-letter queue after 5 receives, with a visibility of 6× the worker timeout', () => {
    const deadLetters = logicalId('AWS::SQS::Queue', 'StateIndexJobDeadLetterQueue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 300,
      RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetters), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: Match.absent(),
    });
  });

  it('refuses requests without TLS', () => {
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ],
        },
      },
      2,
    );
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
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          CODESEARCH_INDEX_URI: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/index']] },
          CODESEARCH_MODEL_DIR: '/opt/model',
          CODESEARCH_EMBEDDING_WORKER: '/var/task/embedding-worker.mjs',
          CODESEARCH_KEYS_SECRET_ID: { Ref: logicalId('AWS::SecretsManager::Secret', 'StateSigningKeys') },
        },
      },
    });
  });

  it('may read the index prefix and the signing keys, write its own logs, and do nothing else', () => {
    const bucket = logicalId('AWS::S3::Bucket', 'StateIndexBucket');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId('AWS::IAM::Role', 'ServiceSearchRole') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: getAtt(logicalId('AWS::Logs::LogGroup', 'ServiceSearchLogs')),
          },
          { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [getAtt(bucket), '/index/*']] },
          },
          {
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: getAtt(bucket),
            Condition: { StringLike: { 's3:prefix': ['index', 'index/*'] } },
          },
          {
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: logicalId('AWS::SecretsManager::Secret', 'StateSigningKeys') },
          },
        ],
      },
    });
  });

  it('has a role with no AWS managed policies', () => {
    for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe('the HTTP API', () => {
  it('routes every search route to the search function with payload format 2.0', () => {
    const fn = logicalId('AWS::Lambda::Function', 'ServiceSearchFunction');
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: getAtt(fn),
      PayloadFormatVersion: '2.0',
    });
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    const expected = new Set(SEARCH_ROUTES.map((route) => `${route.method} ${apiGatewayPath(route.path)}`));
    expect(routeKeys.sort()).toEqual([...expected].sort());
    expect(routeKeys).toEqual(expect.arrayContaining(['POST /search', 'GET /health', 'POST /repos/{repo+}']));
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { Principal: 'apigateway.amazonaws.com', FunctionName: getAtt(fn) },
      routeKeys.length,
    );
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
  it('give the API URL and the names an operator needs', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(
      [
        'ApiUrl',
        'DeadLetterQueueUrl',
        'GitHubTokenSecretName',
        'GitHubWebhookSecretName',
        'IndexBucketName',
        'SigningKeysSecretName',
      ].sort(),
    );
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

  it('are validated, naming the bad key', () => {
    expect(() => synthesize({ context: { searchMemory: 'lots' } })).toThrow(/searchMemory must be a number/);
    expect(() => synthesize({ context: { architecture: 'sparc' } })).toThrow(/architecture must be one of/);
  });

  it('explain why arm64 cannot be built with this LanceDB', () => {
    expect(() => synthesize({ context: { architecture: 'arm64' } })).toThrow(
      /lancedb-linux-arm64-gnu.*x86_64/s,
    );
  });
});
