/**
 * The webhook function with GitHub's own example payloads, on emulated DynamoDB (idempotency records, the
 * repository registry), SQS and Secrets Manager — the same wiring as in Lambda.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '#adapters/github/webhook-signature.ts';
import type { Job } from '#engine/pipeline/jobs.ts';
import { SILENT_LOG } from '#engine/pipeline/ports.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import type { WebhookHandler } from '../../functions/webhook/webhook-handler.ts';
import { openWebhook } from '../../functions/webhook/webhook-services.ts';
import { githubDelivery, httpEvent } from './helpers/http-events.ts';
import {
  JOB_QUEUE,
  type PipelineWorld,
  startPipelineWorld,
  WEBHOOK_SECRET,
} from './helpers/pipeline-world.ts';
import {
  branchCreatedExample,
  EXAMPLE_INDEX,
  EXAMPLE_REPO,
  examplePayloads,
  pushPayload,
} from './helpers/webhook-examples.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('webhook function', () => {
  let world: PipelineWorld;
  let webhook: WebhookHandler;
  let queued = 0;

  const send = async (
    event: string,
    payload: unknown,
    options: Parameters<typeof githubDelivery>[2] = {},
  ) => {
    const response = await webhook(
      githubDelivery(event, payload, { secret: WEBHOOK_SECRET, ...options }),
      lambdaContext('webhook'),
    );
    return {
      status: response.statusCode,
      body: JSON.parse(String(response.body)) as Record<string, unknown>,
    };
  };
  /** Jobs queued since the last call. */
  const newJobs = (): Job[] => {
    const all = world.sqs.peek(JOB_QUEUE).map((message) => JSON.parse(message.body) as Job);
    const fresh = all.slice(queued);
    queued = all.length;
    return fresh;
  };

  beforeAll(async () => {
    world = await startPipelineWorld();
    await world.register(EXAMPLE_REPO, ['release']);
    webhook = world.openWebhook();
  });
  afterAll(() => world?.close());
  beforeEach(() => {
    newJobs();
  });

  it('queues a job for a validly signed push (GitHub example payload) and answers within the timeout', async () => {
    const started = performance.now();
    const { status, body } = await send('push', branchCreatedExample());
    expect(performance.now() - started).toBeLessThan(10_000); // GitHub's limit; typically tens of ms
    expect(status).toBe(202);
    expect(body.message).toBe('queued');
    const [job, ...others] = newJobs();
    expect(others).toEqual([]);
    expect(job).toMatchObject({
      kind: 'sync',
      repo: EXAMPLE_INDEX,
      index: EXAMPLE_INDEX,
      branch: 'master',
      reason: 'branch created',
    });
  });

  it('answers pings', async () => {
    for (const ping of examplePayloads('ping')) expect((await send('ping', ping)).status).toBe(200);
    expect(newJobs()).toEqual([]);
  });

  it('rejects a tampered body, a wrong secret and a missing signature with 401, queueing nothing', async () => {
    const payload = branchCreatedExample();
    const body = JSON.stringify(payload);
    const tampered = body.replace('"refs/heads/master"', '"refs/heads/evil"');
    const signatureOfOriginal = signWebhookBody(WEBHOOK_SECRET, body);
    expect((await send('push', payload, { body: tampered, signature: signatureOfOriginal })).status).toBe(
      401,
    );
    expect((await send('push', payload, { secret: 'not the secret' })).status).toBe(401);
    expect((await send('push', payload, { signature: null })).status).toBe(401);
    expect((await send('push', payload, { signature: 'sha256=zz' })).status).toBe(401);
    expect((await send('push', payload, { signature: `sha1=${'0'.repeat(40)}` })).status).toBe(401);
    expect(newJobs()).toEqual([]);
  });

  it('queues a replayed delivery only once', async () => {
    const deliveryId = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    const first = await send('push', branchCreatedExample(1_700_000_000), { deliveryId });
    const replay = await send('push', branchCreatedExample(1_700_000_000), { deliveryId });
    expect(first.status).toBe(202);
    expect(replay).toMatchObject({ status: 200, body: { message: 'already queued', replayed: true } });
    expect(newJobs()).toHaveLength(1);
    // A new function instance (cold start) shares the idempotency table.
    const coldWebhook = openWebhook(world.clients, SILENT_LOG, world.env);
    const again = await coldWebhook(
      githubDelivery('push', branchCreatedExample(1_700_000_000), { secret: WEBHOOK_SECRET, deliveryId }),
      lambdaContext(),
    );
    expect(again.statusCode).toBe(200);
    expect(newJobs()).toEqual([]);
  });

  it('queues a captured delivery replayed under fresh delivery ids only once: the signed push is the key', async () => {
    // Given one signed delivery, captured; before, each fresh X-GitHub-Delivery (which the signature does not
    // cover) queued another job and another tree listing
    const captured = branchCreatedExample(1_700_000_100);
    expect((await send('push', captured, { deliveryId: 'original' })).status).toBe(202);
    expect(newJobs()).toHaveLength(1);

    // When it is sent again five times with new delivery ids
    for (let i = 0; i < 5; i++)
      expect((await send('push', captured, { deliveryId: `forged-${i}` })).body).toMatchObject({
        replayed: true,
      });

    // Then nothing more was queued; a later push between the same commits (a new pushed_at) still is
    expect(newJobs()).toEqual([]);
    expect((await send('push', branchCreatedExample(1_700_000_200), { deliveryId: 'later' })).status).toBe(
      202,
    );
    expect(newJobs()).toHaveLength(1);
  });

  it('ignores unsupported events politely', async () => {
    for (const event of ['issues', 'pull_request', 'star', 'release']) {
      const { status, body } = await send(event, examplePayloads(event)[0]);
      expect(status).toBe(200);
      expect(String(body.message)).toContain('ignored');
    }
    expect(newJobs()).toEqual([]);
  });

  it('ignores tag pushes, branch deletions and branches that are not indexed', async () => {
    for (const tagPush of examplePayloads('push').filter((payload) =>
      String(payload.ref).startsWith('refs/tags/'),
    )) {
      const { status, body } = await send('push', tagPush);
      expect(status).toBe(200);
      expect(String(body.message)).toContain('not a branch');
    }
    const feature = await send(
      'push',
      pushPayload({
        before: A,
        after: B,
        pushedAt: 1,
        ref: 'refs/heads/feature',
        commits: [{ added: ['x.ts'] }],
      }),
    );
    expect(feature.body.message).toBe('ignored: branch feature is not indexed');
    const deleted = await send('push', {
      ...pushPayload({ before: A, after: '0'.repeat(40), pushedAt: 1 }),
      deleted: true,
    });
    expect(String(deleted.body.message)).toContain('deleted');
    expect(newJobs()).toEqual([]);
  });

  it('queues the net path changes of an ordinary push, and indexes configured extra branches separately', async () => {
    const payload = pushPayload({
      before: A,
      after: B,
      pushedAt: 1_700_000_123,
      commits: [
        { added: ['src/new.ts', 'src/temp.ts'], modified: ['README.md'] },
        { removed: ['src/temp.ts', 'src/old.ts'], modified: ['src/new.ts'] },
        { added: ['src/old.ts'] }, // a file removed and re-added is upserted
      ],
    });
    expect((await send('push', payload)).status).toBe(202);
    expect((await send('push', { ...payload, ref: 'refs/heads/release' })).status).toBe(202);
    const [master, release] = newJobs();
    expect(master).toEqual({
      kind: 'push',
      repo: EXAMPLE_INDEX,
      index: EXAMPLE_INDEX,
      branch: 'master',
      seq: 1_700_000_123_000,
      before: A,
      after: B,
      upserted: ['README.md', 'src/new.ts', 'src/old.ts'],
      removed: ['src/temp.ts'],
      deliveryId: expect.any(String),
    });
    expect(release).toMatchObject({ kind: 'push', index: `${EXAMPLE_INDEX}@release`, branch: 'release' });
  });

  it('asks for a tree comparison when the payload cannot be trusted to list every change', async () => {
    const forced = pushPayload({
      before: A,
      after: B,
      pushedAt: 2,
      forced: true,
      commits: [{ modified: ['a.ts'] }],
    });
    const many = pushPayload({
      before: A,
      after: B,
      pushedAt: 3,
      commits: Array.from({ length: 20 }, () => ({ modified: ['a.ts'] })),
    });
    const huge = pushPayload({
      before: A,
      after: B,
      pushedAt: 5,
      commits: [{ added: Array.from({ length: 1001 }, (_, i) => `generated/f${i}.ts`) }],
    });
    const noLists = pushPayload({ before: A, after: B, pushedAt: 4, commits: [{}] });
    (noLists.commits as Record<string, unknown>[]).forEach((commit) => {
      delete commit.added;
    });
    for (const payload of [forced, many, noLists, huge])
      expect((await send('push', payload)).status).toBe(202);
    expect(newJobs().map((job) => (job.kind === 'sync' ? job.reason : job.kind))).toEqual([
      'forced push',
      '20 commits (the payload may be truncated)',
      'commits without file lists',
      '1001 paths changed',
    ]);
  });

  it('registers the repositories a GitHub App is installed on, and unregisters and removes the ones it leaves', async () => {
    const example = (event: string, action: string) => {
      const found = examplePayloads(event).find((payload) => payload.action === action);
      if (!found) throw new Error(`no ${event} ${action} example`);
      return found;
    };
    // GitHub's example of an installation, on a repository nobody registered
    const repositories = [
      { id: 1, node_id: 'R_1', name: 'Hello-World', full_name: 'octocat/Hello-World', private: false },
    ];
    const installed = await send('installation', { ...example('installation', 'created'), repositories });
    expect(installed.status).toBe(202);
    expect(installed.body.registered).toEqual(['octocat/hello-world']);
    expect(newJobs()).toEqual([
      expect.objectContaining({ kind: 'sync', repo: 'octocat/hello-world', index: 'octocat/hello-world' }),
    ]);
    // …so its pushes are accepted now
    const push = {
      ...branchCreatedExample(),
      repository: { ...(branchCreatedExample().repository as object), full_name: 'octocat/Hello-World' },
    };
    expect((await send('push', push)).status).toBe(202);
    newJobs();

    // GitHub's example: Codertocat/Space added, and an operator's registration (with its branches) kept
    const space = example('installation_repositories', 'added');
    const spaceNames = (space.repositories_added as { full_name: string }[]).map((r) =>
      r.full_name.toLowerCase(),
    );
    expect((await send('installation_repositories', space)).body.registered).toEqual(spaceNames);
    newJobs();
    const operators = {
      ...space,
      action: 'added',
      repositories_added: [{ full_name: EXAMPLE_REPO }],
      repositories_removed: [],
    };
    await send('installation_repositories', operators);
    newJobs();
    const removal = await send('installation_repositories', {
      ...space,
      action: 'removed',
      repositories_added: [],
      repositories_removed: [{ full_name: EXAMPLE_REPO }],
    });
    // Then: the repository goes with its branch index, and its pushes are refused from now on
    expect(removal.body.unregistered).toEqual([EXAMPLE_INDEX]);
    expect(newJobs()).toEqual([
      expect.objectContaining({ kind: 'remove', index: EXAMPLE_INDEX }),
      expect.objectContaining({ kind: 'remove', index: `${EXAMPLE_INDEX}@release`, branch: 'release' }),
    ]);
    expect((await send('push', branchCreatedExample(1_800_000_000))).status).toBe(403);

    // GitHub's example: the App uninstalled
    const uninstalled = await send('installation', { ...example('installation', 'deleted'), repositories });
    expect(uninstalled.status).toBe(202);
    expect(newJobs().map((job) => job.kind)).toEqual(['remove']);
    expect((await send('push', push)).status).toBe(403);
    // An event listing more repositories than one delivery may register is refused whole, with the way out
    const many = Array.from({ length: 201 }, (_, i) => ({ full_name: `bulk/repo-${i}` }));
    const tooMany = await send('installation_repositories', { ...space, repositories_added: many });
    expect(tooMany.status).toBe(422);
    expect(String(tooMany.body.message)).toMatch(/201 repositories .* codesearch repos add/);
    // Other actions change nothing
    expect((await send('installation', example('installation', 'suspend'))).status).toBe(200);
    expect(newJobs()).toEqual([]);
    await world.register(EXAMPLE_REPO, ['release']);
  });

  it('moves the index of a renamed repository to its new name, with its registration and branches', async () => {
    const example = (action: string) => {
      const found = examplePayloads('repository').find((payload) => payload.action === action);
      if (!found) throw new Error(`no repository ${action} example`);
      return found;
    };
    await world.register('Octocoders/Old-World', ['release']);
    const renamed = { ...example('renamed'), changes: { repository: { name: { from: 'Old-World' } } } };
    const moved = await send('repository', renamed);
    expect(moved.status).toBe(202);
    expect(newJobs()).toEqual([
      expect.objectContaining({ kind: 'remove', index: 'octocoders/old-world' }),
      expect.objectContaining({ kind: 'remove', index: 'octocoders/old-world@release', branch: 'release' }),
      expect.objectContaining({
        kind: 'sync',
        repo: 'octocoders/hello-world',
        index: 'octocoders/hello-world',
      }),
      expect.objectContaining({ kind: 'sync', index: 'octocoders/hello-world@release', branch: 'release' }),
    ]);
    // The registration moved: pushes to the new name are accepted, to the old one refused
    const pushTo = (fullName: string) => ({
      ...branchCreatedExample(1_900_000_000),
      repository: {
        ...(branchCreatedExample().repository as object),
        full_name: fullName,
        pushed_at: 1_900_000_000,
      },
    });
    expect((await send('push', pushTo('Octocoders/Hello-World'))).status).toBe(202);
    expect((await send('push', pushTo('Octocoders/Old-World'))).status).toBe(403);
    newJobs();
    // A transfer of a repository nobody registered changes nothing
    expect((await send('repository', example('transferred'))).status).toBe(200);
    expect(newJobs()).toEqual([]);
  });

  it('rejects repositories that are not registered unless their owner is allowed', async () => {
    const stranger = {
      ...branchCreatedExample(),
      repository: { ...(branchCreatedExample().repository as object), full_name: 'someone/else' },
    };
    expect((await send('push', stranger)).status).toBe(403);
    expect(newJobs()).toEqual([]);
    const allowing = openWebhook(world.clients, SILENT_LOG, {
      ...world.env,
      CODESEARCH_ALLOWED_OWNERS: 'Someone',
    });
    const response = await allowing(
      githubDelivery('push', stranger, { secret: WEBHOOK_SECRET }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(202);
    expect(newJobs()).toHaveLength(1);
  });

  it('checks method, content type and body size before anything else', async () => {
    const body = JSON.stringify(branchCreatedExample(1_700_000_300));
    const signed = {
      'x-hub-signature-256': signWebhookBody(WEBHOOK_SECRET, body),
      'x-github-event': 'push',
      'x-github-delivery': 'd1',
    };
    const call = (method: string, headers: Record<string, string>, payload = body) =>
      webhook(httpEvent(method, '/webhook', payload, headers), lambdaContext());
    expect((await call('GET', { ...signed, 'content-type': 'application/json' })).statusCode).toBe(405);
    expect(
      (await call('POST', { ...signed, 'content-type': 'application/x-www-form-urlencoded' })).statusCode,
    ).toBe(415);
    const huge = ' '.repeat(6 * 1024 * 1024);
    expect((await call('POST', { ...signed, 'content-type': 'application/json' }, huge)).statusCode).toBe(
      413,
    );
    expect(
      (await call('POST', { ...signed, 'content-type': 'application/json; charset=utf-8' })).statusCode,
    ).toBe(202);
    expect(newJobs()).toHaveLength(1);
  });

  it('reads the secret once per container, not per delivery', async () => {
    const before = world.secrets.reads.get('webhook-secret') ?? 0;
    for (let i = 0; i < 3; i++) await send('ping', examplePayloads('ping')[0]);
    expect(world.secrets.reads.get('webhook-secret') ?? 0).toBe(before);
  });
});
