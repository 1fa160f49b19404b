/**
 * What a repository or a webhook delivery can carry that no job may: paths over 4,096 characters or with
 * `..`, commit ids that are not commit ids, pushes too large for one queue message. End to end on emulators
 * (the SQS emulator refuses messages over SQS's size limit, as SQS does), with the real chunker and model.
 *
 * Before: a sync planned a long path into a batch the worker's schema refused, so the sync stayed at
 * `done 2/3` with no commit and every later sync failed the same way; the webhook queued jobs the worker would
 * refuse; and 999 changed paths of 1,100 characters made a 1.1 MB job that SQS refused on every redelivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { signWebhookBody } from '#adapters/github/webhook-signature.ts';
import { type Job, jobBytes, MAX_JOB_BYTES } from '#engine/pipeline/jobs.ts';
import { batchPlan, planSync } from '#engine/pipeline/sync-job.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import type { SqsHandler } from '#test/emulators/sqs-lambda-poller.ts';
import type { WebhookHandler } from '../../functions/webhook/webhook-handler.ts';
import { githubDelivery, httpEvent } from './helpers/http-events.ts';
import {
  JOB_QUEUE,
  type PipelineWorld,
  startPipelineWorld,
  WEBHOOK_SECRET,
} from './helpers/pipeline-world.ts';
import { EXAMPLE_REPO, pushPayload } from './helpers/webhook-examples.ts';

const LONG = `src/${'deep/'.repeat(1000)}file.ts`; // 5,011 characters: git takes it, no job may carry it

describe('hostile paths and oversized pushes (emulators, real chunker and model)', () => {
  let world: PipelineWorld;
  let webhook: WebhookHandler;
  let worker: SqsHandler;
  let pushedAt = 1_800_000_000;

  const deliver = async (payload: Record<string, unknown>) => {
    const response = await webhook(
      githubDelivery('push', payload, { secret: WEBHOOK_SECRET }),
      lambdaContext(),
    );
    return {
      status: response.statusCode,
      body: JSON.parse(String(response.body)) as Record<string, unknown>,
    };
  };
  const queued = (): Job[] => world.sqs.peek(JOB_QUEUE).map((message) => JSON.parse(message.body) as Job);

  beforeAll(async () => {
    world = await startPipelineWorld();
    await world.register(EXAMPLE_REPO);
    webhook = world.openWebhook();
    // One file per batch, so that the long path would have had a batch of its own
    worker = (await world.openWorker({ settings: { batchFiles: 1 } })).handler;
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('skips a path no job may carry with its reason, and completes the sync', async () => {
    // Given: a branch whose tree holds two good files and one with a 5,011-character path
    const head = world.github.commit(EXAMPLE_REPO, 'master', {
      'src/a.ts': 'export function alpha() {\n  return 1;\n}\n',
      'src/b.ts': 'export function beta() {\n  return 2;\n}\n',
      [LONG]: 'export function gamma() {\n  return 3;\n}\n',
    });

    // When: the push that created it arrives (a sync of the whole tree) and the workers drain the queue
    const created = await deliver(
      pushPayload({ before: '0'.repeat(40), after: head, pushedAt: ++pushedAt, created: true }),
    );
    expect(created.status).toBe(202);
    const [sync] = queued();
    const report = await world.drain([worker]);

    // Then: nothing failed, the index is published at the head, and the long path is simply not in it
    expect(report.failures).toBe(0);
    const state = await world.indexState().get(EXAMPLE_REPO);
    expect(state?.commit).toBe(head);
    const files = await world.fileHashes().listFiles(EXAMPLE_REPO);
    expect([...files.keys()].sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect(world.sqs.peek('codesearch-jobs-dlq')).toEqual([]);

    // And the same sync delivered again (a redelivery) does no work: no tree listing, no download
    const requests = world.github.requests.length;
    await new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string).send([
      sync as Job,
    ]);
    expect((await world.drain([worker])).failures).toBe(0);
    expect(world.github.requests.slice(requests)).toEqual([]);
  }, 120_000);

  it('leaves paths no job may carry out of a push job, and says so in the reply GitHub shows', async () => {
    const state = await world.indexState().get(EXAMPLE_REPO);
    const next = world.github.change(EXAMPLE_REPO, 'master', { 'src/a.ts': 'export const alpha = 2;\n' });
    expect(next.before).toBe(state?.commit);
    const reply = await deliver(
      pushPayload({
        before: next.before,
        after: next.after,
        pushedAt: ++pushedAt,
        commits: [
          {
            modified: ['src/a.ts', LONG, 'src/../../etc/passwd'],
            removed: ['/abs', LONG, 'src/gone\uffff.ts'],
          },
        ],
      }),
    );
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({
      pathsSkipped: 2,
      skipped: [
        { path: 'src/../../etc/passwd', reason: 'not a relative path inside the repository' },
        { path: LONG.slice(0, 200), reason: 'path of 5011 characters (at most 4096)' },
      ],
    });
    // (A path may hold U+FFFF, which SQS refuses in a message: it travels escaped, and arrives as it was.)
    const [job] = queued();
    expect(job).toMatchObject({ kind: 'push', upserted: ['src/a.ts'], removed: ['src/gone\uffff.ts'] });
    expect((await world.drain([worker])).failures).toBe(0);
    const published = await world.indexState().get(EXAMPLE_REPO);
    expect(published?.commit).toBe(next.after);

    // And a sync of exactly what is published (a forced push replayed after the webhook forgot it, say) lists
    // no tree and fetches nothing
    const requests = world.github.requests.length;
    await new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string).send([
      {
        kind: 'sync',
        repo: EXAMPLE_REPO,
        index: EXAMPLE_REPO,
        branch: 'master',
        seq: published?.seq as number,
        commit: next.after,
        reason: 'forced push',
      },
    ]);
    expect((await world.drain([worker])).failures).toBe(0);
    expect(world.github.requests.slice(requests)).toEqual([]);
  }, 120_000);

  it('refuses a payload whose commit ids or push time are not what GitHub sends, with 400', async () => {
    const good = pushPayload({ before: 'a'.repeat(40), after: 'b'.repeat(40), pushedAt: ++pushedAt });
    const withRepository = (fields: Record<string, unknown>) => ({
      ...good,
      repository: { ...(good.repository as Record<string, unknown>), ...fields },
    });
    // A delivery id or event name GitHub never sends is refused before it can reach a job
    const body = JSON.stringify(good);
    for (const headers of [
      { 'x-github-delivery': 'x'.repeat(5000), 'x-github-event': 'push' },
      { 'x-github-delivery': 'd1', 'x-github-event': "push'; --" },
    ]) {
      const response = await webhook(
        httpEvent('POST', '/webhooks/github', body, {
          'content-type': 'application/json',
          'x-hub-signature-256': signWebhookBody(WEBHOOK_SECRET, body),
          ...headers,
        }),
        lambdaContext(),
      );
      expect(response.statusCode).toBe(400);
    }
    // And a push time before 1970 orders the push by its arrival instead
    expect((await deliver(withRepository({ pushed_at: '-001000-01-01T00:00:00Z' }))).status).toBe(202);
    await world.drain([worker]);
    for (const [payload, field] of [
      [{ ...good, after: 'not-a-sha' }, 'after'],
      [{ ...good, before: 'B'.repeat(40) }, 'before'],
      [withRepository({ pushed_at: -5 }), 'repository.pushed_at'],
      [withRepository({ full_name: "acme/x' OR '1'='1" }), 'repository.full_name'],
    ] as const) {
      const reply = await deliver(payload);
      expect(reply.status, field).toBe(400);
      expect(String(reply.body.message)).toContain(field);
    }
    expect(queued()).toEqual([]);
  });

  it('turns a push too large for one queue message into a sync of its head', async () => {
    // Given: 999 changed paths of 1,100 characters: 1.1 MB as a push job, over SQS's limit
    const paths = Array.from(
      { length: 999 },
      (_, i) => `src/${String(i).padStart(4, '0')}${'x'.repeat(1092)}.ts`,
    );
    const reply = await deliver(
      pushPayload({
        before: 'a'.repeat(40),
        after: 'c'.repeat(40),
        pushedAt: ++pushedAt,
        commits: [{ added: paths }],
      }),
    );

    // Then: it was queued (SQS took it), as a small sync job
    expect(reply.status).toBe(202);
    const [job] = queued();
    expect(job).toMatchObject({
      kind: 'sync',
      commit: 'c'.repeat(40),
      reason: '999 paths too many for one job',
    });
    expect(jobBytes(job as Job)).toBeLessThan(1024);
  });
});

describe('sync plans (pure)', () => {
  it('keeps every batch of long paths under the job size limit', () => {
    // Given 300 files with 4,000-character paths: about 1.2 MB of paths for one sync
    const tree = Array.from({ length: 300 }, (_, i) => ({
      kind: 'file' as const,
      path: `${String(i).padStart(3, '0')}/${'p'.repeat(3995)}.ts`,
      sha: i.toString(16).padStart(40, '0'),
      size: 10,
    }));
    const plan = planSync(tree, new Map(), 1024 * 1024);
    const batches = batchPlan(plan, 64);

    // Then every file is in exactly one batch, and each batch's job fits in one message
    expect(batches.flatMap((batch) => batch.files).length).toBe(300);
    for (const [i, batch] of batches.entries()) {
      const job: Job = {
        kind: 'files',
        repo: 'acme/api',
        index: 'acme/api',
        branch: 'main',
        seq: 1,
        commit: 'f'.repeat(40),
        syncId: '6f1c0a52-3c6f-4e63-9b76-5d3b1e8d2f10',
        batch: i,
        batches: batches.length,
        ...batch,
      };
      expect(jobBytes(job)).toBeLessThanOrEqual(MAX_JOB_BYTES);
    }
    expect(batches.length).toBeGreaterThan(300 / 64);
  });

  it('records a path no job may carry as unindexable, with the reason, and plans the rest', () => {
    const plan = planSync(
      [
        { kind: 'file', path: 'ok.ts', sha: '1'.repeat(40), size: 1 },
        { kind: 'file', path: `${'x'.repeat(4097)}.ts`, sha: '2'.repeat(40), size: 1 },
      ],
      new Map(),
      1024 * 1024,
    );
    expect(plan.toFetch.map((file) => file.path)).toEqual(['ok.ts']);
    expect(plan.unindexable).toEqual([
      { path: `${'x'.repeat(4097)}.ts`, reason: 'path of 4100 characters (at most 4096)' },
    ]);
  });
});
