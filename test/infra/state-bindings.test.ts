/**
 * The bind methods of the state construct, which every function uses: each grants exactly its IAM actions
 * and sets the environment variable its adapter reads. A bare stack with an
 * inline function keeps these tests independent of the service's functions.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { TABLE_ACCESS } from '#adapters/aws/table-access.ts';
import { CodeSearchState, WORKER_MAX_RECEIVES } from '../../infra/codesearch-state.ts';

function setUp(timeout = Duration.minutes(5)) {
  const stack = new Stack(new App(), 'Bindings');
  const state = new CodeSearchState(stack, 'State');
  const fn = new lambda.Function(stack, 'Worker', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    timeout,
  });
  const template = () => Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);
  return { state, fn, template, id };
}

/** The statements of the function's policy. */
function statements(
  template: Template,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument.Statement;
}

function environment(template: Template): Record<string, unknown> {
  return Object.values(template.findResources('AWS::Lambda::Function'))[0]?.Properties.Environment.Variables;
}

describe('bindJobQueueConsumer', () => {
  it('adds an SQS event source with partial batch responses and bounded concurrency', () => {
    const { state, fn, template, id } = setUp();
    state.bindJobQueueConsumer(fn, { maxConcurrency: 4 });
    template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(state.jobQueue), 'Arn'] },
      FunctionName: { Ref: id(fn) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    const actions = statements(template()).flatMap((s) => s.Action);
    expect(actions).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
    );
  });

  it("tells the worker its own dead-letter limit, below the queue's redrive limit", () => {
    const { state, fn, template } = setUp();
    state.bindJobQueueConsumer(fn);
    expect(environment(template())).toEqual({ CODESEARCH_MAX_RECEIVES: String(WORKER_MAX_RECEIVES) });
    expect(state.maxReceiveCount).toBeGreaterThan(WORKER_MAX_RECEIVES);
    template().hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: state.maxReceiveCount }),
    });
  });

  it("refuses a redrive limit that would preempt the worker's own dead-lettering", () => {
    const stack = new Stack(new App(), 'Bindings');
    expect(() => new CodeSearchState(stack, 'State', { maxReceiveCount: WORKER_MAX_RECEIVES })).toThrow(
      /above the worker's own limit of 5/,
    );
  });

  it('refuses a worker whose timeout the queue visibility was not sized for', () => {
    const { state, fn } = setUp(Duration.minutes(6));
    expect(() => state.bindJobQueueConsumer(fn)).toThrow(/sized for workers of 300 s/);
  });
});

describe('the producer bindings', () => {
  it('bindJobQueueProducer may send jobs and names the queue', () => {
    const { state, fn, template, id } = setUp();
    state.bindJobQueueProducer(fn);
    expect(statements(template())).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [id(state.jobQueue), 'Arn'] },
      },
    ]);
    expect(environment(template())).toEqual({ CODESEARCH_JOB_QUEUE_URL: { Ref: id(state.jobQueue) } });
  });

  it('bindDeadLetterQueueProducer may send to the dead-letter queue and names it', () => {
    const { state, fn, template, id } = setUp();
    state.bindDeadLetterQueueProducer(fn);
    expect(statements(template())).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [id(state.deadLetterQueue), 'Arn'] },
      },
    ]);
    expect(environment(template())).toEqual({
      CODESEARCH_DEAD_LETTER_QUEUE_URL: { Ref: id(state.deadLetterQueue) },
    });
  });
});

describe('bindTable', () => {
  it('grants exactly the actions of the adapters that use the table, and names it', () => {
    const { state, fn, template, id } = setUp();
    state.bindTable(fn, 'fileHashes', ['fileHashStore']);
    state.bindTable(fn, 'repositories', ['repoRegistry']);
    state.bindTable(fn, 'indexState', ['indexStateWriter', 'indexStateReader']);
    const arn = (table: keyof typeof state.tables) => [{ 'Fn::GetAtt': [id(state.tables[table]), 'Arn'] }];
    expect(statements(template())).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query'],
        Resource: arn('fileHashes'),
      },
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: arn('repositories') },
      {
        Effect: 'Allow',
        // The union of both uses, once each
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
        Resource: arn('indexState'),
      },
    ]);
    expect(environment(template())).toEqual({
      CODESEARCH_FILE_HASH_TABLE: { Ref: id(state.tables.fileHashes) },
      CODESEARCH_REPOSITORIES_TABLE: { Ref: id(state.tables.repositories) },
      CODESEARCH_INDEX_STATE_TABLE: { Ref: id(state.tables.indexState) },
    });
  });

  it('never grants a table-wide wildcard or a management action', () => {
    const actions = Object.values(TABLE_ACCESS).flat();
    expect(
      actions.filter((action) => !/^dynamodb:[A-Z]\w+Item$|^dynamodb:(Query|Scan)$/.test(action)),
    ).toEqual([]);
  });

  it('refuses a binding with no use', () => {
    const { state, fn } = setUp();
    expect(() => state.bindTable(fn, 'fileHashes', [])).toThrow(/at least one use/);
  });
});

describe('bindIndex', () => {
  it('readWrite adds the writes LanceDB makes, only below the index prefix', () => {
    const { state, fn, template, id } = setUp();
    state.bindIndex(fn, 'readWrite');
    const bucketArn = { 'Fn::GetAtt': [id(state.indexBucket), 'Arn'] };
    expect(statements(template())).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [bucketArn, '/index/*']] },
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': ['index', 'index/*'] } },
      },
    ]);
  });
});

describe('the secret bindings', () => {
  it('grant GetSecretValue on one secret each and put its ARN, not its value, in the environment', () => {
    const { state, fn, template, id } = setUp();
    state.bindSigningKeys(fn);
    state.bindWebhookSecret(fn);
    state.bindGitHubToken(fn);
    const secrets = [state.signingKeys, state.webhookSecret, state.githubToken];
    expect(statements(template())).toEqual(
      secrets.map((secret) => ({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: id(secret) },
      })),
    );
    expect(environment(template())).toEqual({
      CODESEARCH_KEYS_SECRET_ID: { Ref: id(state.signingKeys) },
      CODESEARCH_WEBHOOK_SECRET_ID: { Ref: id(state.webhookSecret) },
      CODESEARCH_GITHUB_TOKEN_SECRET_ID: { Ref: id(state.githubToken) },
    });
    template().hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: Match.absent() });
  });
});
