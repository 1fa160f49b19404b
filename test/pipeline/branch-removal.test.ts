/**
 * A deleted branch takes its index along, end to end on the emulators: GitHub's push for the deletion →
 * webhook → a remove job → the worker deletes the branch index's chunks and file hashes → the search API no
 * longer lists or finds it. A stale push still on the queue does not bring it back; recreating the branch
 * indexes it afresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRepoRegistry } from '#adapters/aws/dynamo-repo-registry.ts';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import type { LanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import type { HttpHandler } from '#api/http-types.ts';
import { NO_CACHE } from '#api/result-cache.ts';
import { createSearchApi } from '#api/search-api.ts';
import { NULL_SHA } from '#engine/pipeline/push-decision.ts';
import type { Embedder } from '#engine/types.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import type { SqsHandler } from '#test/emulators/sqs-lambda-poller.ts';
import { sampleRepoFiles } from '#test/helpers/sample-repo.ts';
import type { WebhookHandler } from '../../functions/webhook/webhook-handler.ts';
import { githubDelivery, httpEvent } from './helpers/http-events.ts';
import { type PipelineWorld, startPipelineWorld, WEBHOOK_SECRET } from './helpers/pipeline-world.ts';
import { EXAMPLE_INDEX, EXAMPLE_REPO, examplePayloads, pushPayload } from './helpers/webhook-examples.ts';

const BRANCH_INDEX = `${EXAMPLE_INDEX}@release`;

describe('a deleted branch takes its index along', () => {
  let world: PipelineWorld;
  let webhook: WebhookHandler;
  let worker: SqsHandler;
  let search: HttpHandler;
  let embedder: Embedder;
  let reader: LanceChunkStore;

  const deliver = async (payload: Record<string, unknown>) => {
    const response = await webhook(
      githubDelivery('push', payload, { secret: WEBHOOK_SECRET }),
      lambdaContext('webhook'),
    );
    expect(response.statusCode, String(response.body)).toBe(202);
    await world.drain([worker]);
  };
  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await search(
      httpEvent(method, path, body === undefined ? undefined : JSON.stringify(body), {
        'content-type': 'application/json',
      }),
    );
    return JSON.parse(response.body) as Record<string, unknown>;
  };
  const branchHits = async () =>
    (
      (await api('POST', '/search', { query: 'retry a failed upload', branch: 'release' }))
        .results as unknown[]
    ).length;
  const listed = async () =>
    ((await api('GET', '/repos')).repos as { repo: string; branch: string | null }[]).map(
      (info) => `${info.repo}${info.branch === null ? '' : `@${info.branch}`}`,
    );

  beforeAll(async () => {
    world = await startPipelineWorld();
    await world.register(EXAMPLE_REPO, ['release']);
    webhook = world.openWebhook();
    const opened = await world.openWorker();
    worker = opened.handler;
    embedder = opened.deps.pipeline.embedder;
    reader = await world.openReader(embedder);
    search = createSearchApi({
      store: reader,
      embedder: opened.deps.pipeline.embedder,
      cache: NO_CACHE,
      catalog: new IndexStateCatalog(
        world.indexState(),
        new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)),
      ),
    });
  });

  afterAll(async () => {
    await reader?.close();
    await world?.close();
  });

  it('removes the branch index on deletion, ignores a stale push, and indexes a recreated branch afresh', async () => {
    // Given: the release branch, created and indexed
    const files = await sampleRepoFiles();
    const release = world.github.commit(EXAMPLE_REPO, 'release', files);
    await deliver(
      pushPayload({
        before: NULL_SHA,
        after: release,
        pushedAt: 1_700_000_000,
        created: true,
        ref: 'refs/heads/release',
      }),
    );
    expect(await reader.countChunks(BRANCH_INDEX)).toBeGreaterThan(8);
    expect(await branchHits()).toBeGreaterThan(0);
    expect(await listed()).toEqual([BRANCH_INDEX]);

    // When: the branch is deleted (GitHub's push for a deletion: `deleted`, `after` all zeros)
    await deliver({
      ...pushPayload({
        before: release,
        after: NULL_SHA,
        pushedAt: 1_700_000_100,
        ref: 'refs/heads/release',
      }),
      deleted: true,
    });

    // Then: nothing of it is left to search, list or compare against
    expect(await reader.countChunks(BRANCH_INDEX)).toBe(0);
    expect((await world.fileHashes().listFiles(BRANCH_INDEX)).size).toBe(0);
    expect(await branchHits()).toBe(0);
    expect(await listed()).toEqual([]);

    // When: a push from before the deletion arrives late
    await deliver(
      pushPayload({
        before: release,
        after: world.github.commit(EXAMPLE_REPO, 'release', {
          ...files,
          'src/late.ts': 'export const late = 1;\n',
        }),
        pushedAt: 1_700_000_050,
        ref: 'refs/heads/release',
        commits: [{ added: ['src/late.ts'] }],
      }),
    );
    // Then: it is superseded by the removal
    expect(await reader.countChunks(BRANCH_INDEX)).toBe(0);

    // When: the branch is created again
    const again = world.github.commit(EXAMPLE_REPO, 'release', files);
    await deliver(
      pushPayload({
        before: NULL_SHA,
        after: again,
        pushedAt: 1_700_000_200,
        created: true,
        ref: 'refs/heads/release',
      }),
    );
    // Then: it is indexed from nothing and listed again
    expect(await reader.countChunks(BRANCH_INDEX)).toBeGreaterThan(8);
    expect(await listed()).toEqual([BRANCH_INDEX]);
    expect((await world.indexState().get(BRANCH_INDEX))?.commit).toBe(again);
  });

  it('removes every index of a deleted repository (GitHub example repository events), and ignores other actions', async () => {
    // Given: the default branch indexed too
    const head = world.github.commit(EXAMPLE_REPO, 'master', await sampleRepoFiles());
    await deliver(pushPayload({ before: NULL_SHA, after: head, pushedAt: 1_700_000_300, created: true }));
    expect(await listed()).toEqual([EXAMPLE_INDEX, BRANCH_INDEX]);

    const event = (action: string) => {
      const example = examplePayloads('repository').find((payload) => payload.action === 'publicized');
      if (!example) throw new Error('no repository example');
      return githubDelivery('repository', { ...example, action }, { secret: WEBHOOK_SECRET });
    };
    // When: the repository is edited: nothing indexed changes
    const edited = await webhook(event('edited'), lambdaContext('webhook'));
    expect(edited.statusCode).toBe(200);
    expect(String(JSON.parse(String(edited.body)).message)).toContain('ignored');

    // When: it is deleted
    const deleted = await webhook(event('deleted'), lambdaContext('webhook'));
    expect(deleted.statusCode, String(deleted.body)).toBe(202);
    expect(JSON.parse(String(deleted.body)).jobs).toEqual([
      `remove ${EXAMPLE_INDEX} (repository deleted)`,
      `remove ${BRANCH_INDEX} (repository deleted)`,
    ]);
    await world.drain([worker]);

    // Then: nothing of it is left to search or list
    expect(await reader.countChunks(EXAMPLE_INDEX)).toBe(0);
    expect(await reader.countChunks(BRANCH_INDEX)).toBe(0);
    expect(await listed()).toEqual([]);
    // …and the same deletion delivered again is not queued again
    const again = await webhook(event('deleted'), lambdaContext('webhook'));
    expect(JSON.parse(String(again.body)).replayed).toBe(true);
  });

  it('registers a repository with PUT /repos/{repo} and removes it with all its data with DELETE', async () => {
    const registry = new DynamoRepoRegistry(
      world.clients.documents,
      String(world.env.CODESEARCH_REPOSITORIES_TABLE),
    );
    const admin = new IndexStateCatalog(
      world.indexState(),
      new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)),
      { registry },
    );
    const api = createSearchApi({
      store: reader,
      embedder,
      cache: NO_CACHE,
      catalog: admin,
      reindexer: admin,
      admin,
    });
    const call = async (method: 'PUT' | 'DELETE', path: string, body?: unknown) => {
      const response = await api(
        httpEvent(method, path, body === undefined ? undefined : JSON.stringify(body), {
          'content-type': 'application/json',
        }),
      );
      return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
    };
    // When: an admin registers the repository again, with its release branch
    await registry.unregister(EXAMPLE_REPO);
    const put = await call('PUT', `/repos/${encodeURIComponent(EXAMPLE_REPO)}`, { branches: ['release'] });
    expect(put).toEqual({
      status: 202,
      body: { repo: EXAMPLE_INDEX, branches: ['release'], status: 'indexing' },
    });
    expect(await registry.lookup(EXAMPLE_REPO)).toEqual({ branches: ['release'] });
    await world.drain([worker]);
    // Then: its default branch is indexed at once (the worker looked up the default branch and its head)
    expect(await reader.countChunks(EXAMPLE_INDEX)).toBeGreaterThan(8);
    expect((await call('PUT', '/repos/x', { branches: ['../main'] })).status).toBe(400);

    // When: the release branch is indexed, then an admin registers the repository without it
    const release = world.github.commit(EXAMPLE_REPO, 'release', await sampleRepoFiles());
    // Pushed now (after the deletion above), and before the registration below: GitHub's times are real ones.
    const pushedAt = Math.ceil(Date.now() / 1000);
    await deliver(
      pushPayload({ before: NULL_SHA, after: release, pushedAt, created: true, ref: 'refs/heads/release' }),
    );
    expect(await reader.countChunks(BRANCH_INDEX)).toBeGreaterThan(8);
    while (Date.now() <= pushedAt * 1000) await new Promise((resolve) => setTimeout(resolve, 50));
    await call('PUT', `/repos/${EXAMPLE_INDEX}`, {});
    await world.drain([worker]);
    // Then: the branch index goes, the repository's own stays
    expect(await reader.countChunks(BRANCH_INDEX)).toBe(0);
    expect(await reader.countChunks(EXAMPLE_INDEX)).toBeGreaterThan(8);
    await call('PUT', `/repos/${EXAMPLE_INDEX}`, { branches: ['release'] });
    await world.drain([worker]);

    // When: an admin removes it
    const removed = await call('DELETE', `/repos/${EXAMPLE_INDEX}`);
    expect(removed).toEqual({
      status: 202,
      body: { repo: EXAMPLE_INDEX, indexes: [EXAMPLE_INDEX, BRANCH_INDEX], status: 'removing' },
    });
    await world.drain([worker]);
    // Then: unregistered, its indexes gone, and a second removal finds nothing
    expect(await registry.lookup(EXAMPLE_REPO)).toBeUndefined();
    expect(await reader.countChunks(EXAMPLE_INDEX)).toBe(0);
    expect((await world.fileHashes().listFiles(EXAMPLE_INDEX)).size).toBe(0);
    expect(await listed()).toEqual([]);
    expect((await call('DELETE', `/repos/${EXAMPLE_INDEX}`)).status).toBe(404);
    await registry.put(EXAMPLE_REPO, ['release']);
  });
});
