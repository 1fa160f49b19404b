/**
 * Least privilege that is still enough. The stack grants each function only the actions its adapters call
 * (test/infra/stack.test.ts pins the exact statements); this test shows those grants suffice: the webhook,
 * the index worker (with the event source mapping that polls for it), the search API's catalog and query
 * cache, and index upkeep run their real code paths against the emulators — each signing with credentials
 * of its own — and every DynamoDB, SQS, Secrets Manager and S3 call they make must be allowed by that
 * function's role in the synthesized template. A call a role does not allow would be an AccessDenied in AWS.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import { DynamoRepoRegistry } from '#adapters/aws/dynamo-repo-registry.ts';
import { DynamoResultCache } from '#adapters/aws/dynamo-result-cache.ts';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { secretsManagerSecret } from '#adapters/aws/secrets-manager-secret.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import type { TableName } from '#adapters/aws/table-shapes.ts';
import { newKeySetText } from '#api/auth/key-set.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import { SILENT_LOG } from '#engine/pipeline/ports.ts';
import type { AwsCall } from '#test/emulators/aws-calls.ts';
import { faultsAt } from '#test/emulators/faults.ts';
import { primaryRateLimit } from '#test/emulators/github-emulator.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import type { S3Call } from '#test/emulators/s3rver-conditional-writes.ts';
import { drainQueue } from '#test/emulators/sqs-lambda-poller.ts';
import { type CfnTemplate, type Synthesized, synthesize } from '#test/infra/helpers/synth.ts';
import { openUpkeepTarget } from '../../functions/index-upkeep/upkeep-services.ts';
import type { CodeSearchFunction } from '../../infra/codesearch-function.ts';
import { githubDelivery } from './helpers/http-events.ts';
import {
  DEAD_LETTER_QUEUE,
  JOB_QUEUE,
  type PipelineWorld,
  startPipelineWorld,
  WEBHOOK_SECRET,
} from './helpers/pipeline-world.ts';
import { EXAMPLE_INDEX, EXAMPLE_REPO, pushPayload } from './helpers/webhook-examples.ts';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: { StringLike?: Record<string, string[]> };
}

/** The IAM action an API operation needs (batch operations are authorised as their single form). */
const BATCH_ACTIONS: Readonly<Record<string, string>> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};
const iamAction = (service: string, operation: string) =>
  BATCH_ACTIONS[`${service}:${operation}`] ?? `${service}:${operation}`;

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** `index/*` → /^index\/.*$/ (IAM's `*` matches any characters, `/` included). */
const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);

describe('every AWS call a function makes is allowed by its role', () => {
  let synth: Synthesized;
  let world: PipelineWorld;
  let embedder: OnnxEmbedder;

  beforeAll(async () => {
    [synth, world, embedder] = await Promise.all([
      Promise.resolve().then(() => synthesize()),
      startPipelineWorld(),
      createOnnxEmbedder({ workers: 1 }),
    ]);
    world.secrets.put('signing-keys', newKeySetText());
  });
  afterAll(async () => {
    await world?.close();
    await embedder?.close();
  });

  /** The logical id of a construct's CloudFormation resource. */
  const idOf = (construct: { node: { defaultChild?: unknown } }) =>
    synth.stack.getLogicalId(construct.node.defaultChild as CfnElement);

  function statementsOf(fn: CodeSearchFunction): Statement[] {
    const role = fn.fn.role;
    if (!role) throw new Error(`${fn.node.path} has no role`);
    const roleRef = JSON.stringify({ Ref: idOf(role) });
    return Object.values((synth.json as CfnTemplate).Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(roleRef))
      .flatMap(
        (policy) =>
          (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
      );
  }

  /** The emulated resource names (tables, queues, secrets) → the logical ids of the stack's resources. */
  function emulatedResources(): Map<string, string> {
    const { state } = synth.stack;
    const resources = new Map<string, string>();
    for (const [shape, table] of Object.entries(state.tables))
      resources.set(world.dynamo.tables[shape as TableName], idOf(table));
    resources.set(JOB_QUEUE, idOf(state.jobQueue));
    resources.set(DEAD_LETTER_QUEUE, idOf(state.deadLetterQueue));
    resources.set('signing-keys', idOf(state.signingKeys));
    resources.set(String(world.env.CODESEARCH_WEBHOOK_SECRET_ID), idOf(state.webhookSecret));
    resources.set(String(world.env.CODESEARCH_GITHUB_TOKEN_SECRET_ID), idOf(state.githubToken));
    return resources;
  }

  /** The calls of `principal` its role does not allow, as readable lines. */
  function refused(principal: string, fn: CodeSearchFunction): { refused: string[]; made: Set<string> } {
    const statements = statementsOf(fn);
    const resources = emulatedResources();
    const calls: [string, AwsCall][] = [
      ...world.dynamo.calls.map((call) => ['dynamodb', call] as [string, AwsCall]),
      ...world.sqs.calls.map((call) => ['sqs', call] as [string, AwsCall]),
      ...world.secrets.calls.map((call) => ['secretsmanager', call] as [string, AwsCall]),
    ];
    const made = new Set<string>();
    const denied = new Set<string>();
    for (const [service, call] of calls.filter(([, c]) => c.principal === principal)) {
      const action = iamAction(service, call.operation);
      for (const resource of call.resources) {
        const line = `${action} on ${resource}`;
        made.add(line);
        const logicalId = resources.get(resource);
        const references = [{ Ref: logicalId }, { 'Fn::GetAtt': [logicalId, 'Arn'] }].map((r) =>
          JSON.stringify(r),
        );
        const allowed = statements.some(
          (statement) =>
            statement.Effect === 'Allow' &&
            asArray(statement.Action).includes(action) &&
            asArray(statement.Resource).some((r) => references.includes(JSON.stringify(r))),
        );
        if (logicalId === undefined || !allowed) denied.add(line);
      }
    }
    return { refused: [...denied].sort(), made };
  }

  /** The S3 calls a role does not allow: object actions below the index prefix, listings of that prefix. */
  function refusedS3(fn: CodeSearchFunction, calls: readonly S3Call[]): string[] {
    const statements = statementsOf(fn);
    const bucket = { 'Fn::GetAtt': [idOf(synth.stack.state.indexBucket), 'Arn'] };
    const denied = new Set<string>();
    for (const call of calls) {
      const allowed = statements.some((statement) => {
        if (statement.Effect !== 'Allow' || !asArray(statement.Action).includes(call.action)) return false;
        return asArray(statement.Resource).some((resource) => {
          if (call.action === 's3:ListBucket') {
            const prefixes = statement.Condition?.StringLike?.['s3:prefix'] ?? ['*'];
            return (
              JSON.stringify(resource) === JSON.stringify(bucket) &&
              prefixes.some((pattern) => glob(pattern).test(call.prefix ?? ''))
            );
          }
          const join = (resource as { 'Fn::Join'?: [string, [unknown, string]] })['Fn::Join'];
          if (!join || JSON.stringify(join[1][0]) !== JSON.stringify(bucket)) return false;
          // A multi-object delete names its keys in the body: the action is what can be checked
          return call.key === undefined || glob(join[1][1].slice(1)).test(call.key);
        });
      });
      if (!allowed) denied.add(`${call.action} ${call.key ?? call.prefix ?? ''}`.trim());
    }
    return [...denied].sort();
  }

  it('webhook, index worker, search catalog and query cache, and upkeep, on their real code paths', {
    timeout: 300_000,
  }, async () => {
    const { service } = synth.stack;
    // Given: a registered repository with a few files, and each function signing as itself
    await world.register(EXAMPLE_REPO);
    const base = world.github.commit(EXAMPLE_REPO, 'master', {
      'src/a.ts': 'export function alpha(): number {\n  return 1;\n}\n',
      'src/b.ts': 'export function beta(): number {\n  return 2;\n}\n',
      'src/c.ts': 'export function gamma(): number {\n  return 3;\n}\n',
      'lib/d.py': 'def delta():\n    return 4\n',
    });
    const webhook = world.openWebhook(SILENT_LOG, 'Webhook');
    const worker = await world.openWorker({
      embedder,
      principal: 'IndexWorker',
      settings: { batchFiles: 2 },
    });
    // Lambda's event source mapping polls with the worker's role
    const drain = () =>
      drainQueue({
        sqs: world.clientsFor('IndexWorker').sqs,
        queueUrl: String(world.env.CODESEARCH_JOB_QUEUE_URL),
        handlers: [worker.handler],
      });

    // When: GitHub creates the branch (delivered twice), then pushes a change under a rate limit
    const created = githubDelivery(
      'push',
      pushPayload({ before: '0'.repeat(40), after: base, pushedAt: 100, created: true }),
      { secret: WEBHOOK_SECRET, deliveryId: 'delivery-1' },
    );
    for (const delivery of [created, created]) {
      const response = await webhook(delivery, lambdaContext('webhook'));
      expect(response.statusCode, String(response.body)).toBeLessThan(300);
    }
    await drain(); // a sync fanned out into batches
    const { before, after } = world.github.change(EXAMPLE_REPO, 'master', {
      'src/a.ts': 'export function alpha(): number {\n  return 10;\n}\n',
    });
    const pushed = githubDelivery(
      'push',
      pushPayload({ before, after, pushedAt: 200, commits: [{ modified: ['src/a.ts'] }] }),
      { secret: WEBHOOK_SECRET },
    );
    expect((await webhook(pushed, lambdaContext('webhook'))).statusCode).toBe(202);
    world.github.setFaults(
      faultsAt([1], primaryRateLimit(3600), (target) => target.path.includes('/contents/')),
    );
    await drain(); // the worker delays the rate-limited job, then applies it
    // …and a job for a repository GitHub does not know is dead-lettered by the worker, with its reason
    await new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)).send([
      { kind: 'sync', repo: 'acme/gone', index: 'acme/gone', branch: 'main', seq: 1, reason: 'test' },
    ]);
    await drain();

    // …the search API lists the repositories, an admin re-indexes one, and tokens are checked
    const search = world.clientsFor('Search');
    const catalog = new IndexStateCatalog(
      new DynamoIndexStateStore(search.documents, world.dynamo.tables.indexState, {
        generation: world.generation(),
      }),
      new SqsJobQueue(search.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)),
      { registry: new DynamoRepoRegistry(search.documents, world.dynamo.tables.repositories) },
    );
    expect((await catalog.listRepos()).map((record) => record.repo).sort()).toEqual([
      'acme/gone',
      EXAMPLE_INDEX,
    ]);
    await catalog.reindex(EXAMPLE_REPO);
    await world.register('acme/fresh'); // registered, never pushed: its first index
    await catalog.reindex('acme/fresh');
    await secretsManagerSecret(search.secrets, 'signing-keys').read();
    // …and shares a result through the query cache (which logs faults, such as AccessDenied, as misses)
    const warnings: string[] = [];
    const queryCache = new DynamoResultCache(search.documents, world.dynamo.tables.queryCache, {
      log: { warn: (message) => warnings.push(message) },
    });
    await queryCache.set('granted', { results: [] });
    expect(await queryCache.get('granted')).toEqual({ results: [] });
    expect(warnings).toEqual([]);

    // …and upkeep queues what this generation lacks (acme/fresh: registered, its first index not run yet),
    // compacts the table, rebuilds its indexes and removes old versions
    const upkeep = await openUpkeepTarget(
      { ...world.env, CODESEARCH_VERSION_RETENTION_HOURS: '0' },
      world.clientsFor('IndexUpkeep'),
    );
    try {
      expect((await upkeep.queueRebuilds()).queued).toEqual(['acme/fresh']);
      expect((await upkeep.store.upkeep({ retainVersionsMs: 0 })).oldVersionsRemoved).toBeGreaterThan(0);
    } finally {
      await upkeep.store.close();
    }

    // Then: every call was allowed by the caller's role
    const webhookCalls = refused('Webhook', service.webhook);
    const workerCalls = refused('IndexWorker', service.indexWorker);
    const searchCalls = refused('Search', service.search);
    const upkeepCalls = refused('IndexUpkeep', service.indexUpkeep);
    expect({
      webhook: webhookCalls.refused,
      indexWorker: workerCalls.refused,
      search: searchCalls.refused,
      indexUpkeep: upkeepCalls.refused,
    }).toEqual({ webhook: [], indexWorker: [], search: [], indexUpkeep: [] });
    // …the paths that matter were taken: idempotency records, fan-out, visibility, dead letters, re-index
    expect([...webhookCalls.made]).toEqual(
      expect.arrayContaining([
        `dynamodb:GetItem on ${world.dynamo.tables.repositories}`,
        `dynamodb:PutItem on ${world.dynamo.tables.webhookDeliveries}`,
        `sqs:SendMessage on ${JOB_QUEUE}`,
        `secretsmanager:GetSecretValue on ${world.env.CODESEARCH_WEBHOOK_SECRET_ID}`,
      ]),
    );
    expect([...workerCalls.made]).toEqual(
      expect.arrayContaining([
        `sqs:SendMessage on ${JOB_QUEUE}`,
        `sqs:SendMessage on ${DEAD_LETTER_QUEUE}`,
        `sqs:ChangeMessageVisibility on ${JOB_QUEUE}`,
        `sqs:ReceiveMessage on ${JOB_QUEUE}`,
        `dynamodb:BatchWriteItem on ${world.dynamo.tables.fileHashes}`,
        `dynamodb:BatchWriteItem on ${world.dynamo.tables.embeddingCache}`,
        `dynamodb:PutItem on ${world.dynamo.tables.indexState}`,
        `dynamodb:UpdateItem on ${world.dynamo.tables.indexState}`,
      ]),
    );
    expect([...searchCalls.made]).toEqual(
      expect.arrayContaining([
        `dynamodb:Scan on ${world.dynamo.tables.indexState}`,
        `dynamodb:GetItem on ${world.dynamo.tables.repositories}`,
        `dynamodb:GetItem on ${world.dynamo.tables.queryCache}`,
        `dynamodb:PutItem on ${world.dynamo.tables.queryCache}`,
        `sqs:SendMessage on ${JOB_QUEUE}`,
      ]),
    );
    expect([...upkeepCalls.made]).toEqual(
      expect.arrayContaining([
        `dynamodb:Scan on ${world.dynamo.tables.indexState}`,
        `dynamodb:Scan on ${world.dynamo.tables.repositories}`,
        `dynamodb:PutItem on ${world.dynamo.tables.indexState}`,
        `sqs:SendMessage on ${JOB_QUEUE}`,
      ]),
    );
    // …and LanceDB's S3 requests (the workers' writes, upkeep's compaction and cleanup, reads) stay within
    // what the worker and upkeep roles allow: objects below index/, listings of that prefix
    const s3 = world.s3.log.calls;
    expect(new Set(s3.map((call) => call.action))).toEqual(
      new Set(['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject']),
    );
    expect(refusedS3(service.indexWorker, s3)).toEqual([]);
    expect(refusedS3(service.indexUpkeep, s3)).toEqual([]);
    expect(
      refusedS3(
        service.search,
        s3.filter((call) => call.action !== 's3:GetObject' && call.action !== 's3:ListBucket'),
      ),
    ).not.toEqual([]); // search may not write
    console.info(
      `granted calls: webhook ${webhookCalls.made.size}, index worker ${workerCalls.made.size}, search ${searchCalls.made.size} distinct (action, resource) pairs; ` +
        `S3: ${s3.length} requests (${[...new Set(s3.map((call) => call.action))].join(', ')})`,
    );
  });
});
