/**
 * The first index of a registered repository that was never pushed to, end to end on emulators with the real
 * model: an admin's `POST /repos/{repo}/reindex` → a sync job without a branch → the index worker looks up the
 * default branch and its head on GitHub → LanceDB on the S3 emulator → search finds the code, at that commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRepoRegistry } from '#adapters/aws/dynamo-repo-registry.ts';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import type { LanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import type { HttpHandler } from '#api/http-types.ts';
import { NO_CACHE } from '#api/result-cache.ts';
import { createSearchApi } from '#api/search-api.ts';
import type { SqsHandler } from '#test/emulators/sqs-lambda-poller.ts';
import { sampleRepoFiles } from '#test/helpers/sample-repo.ts';
import { httpEvent } from './helpers/http-events.ts';
import { JOB_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

/** As GitHub spells it; codesearch names it in lower case everywhere (`canonicalRepoName`). */
const REPO = 'Acme/Widgets';
const INDEX = 'acme/widgets';
const DEFAULT_BRANCH = 'trunk';

describe('reindex of a registered repository that was never pushed', () => {
  let world: PipelineWorld;
  let worker: SqsHandler;
  let api: HttpHandler;
  let reader: LanceChunkStore;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await api(
      httpEvent(method, path, body === undefined ? undefined : JSON.stringify(body), {
        'content-type': 'application/json',
      }),
    );
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  };

  beforeAll(async () => {
    world = await startPipelineWorld();
    await world.register(REPO.toLowerCase());
    const opened = await world.openWorker();
    worker = opened.handler;
    reader = await world.openReader(opened.deps.pipeline.embedder);
    const catalog = new IndexStateCatalog(
      world.indexState(),
      new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)),
      { registry: new DynamoRepoRegistry(world.clients.documents, world.dynamo.tables.repositories) },
    );
    api = createSearchApi({
      store: reader,
      embedder: opened.deps.pipeline.embedder,
      cache: NO_CACHE,
      catalog,
      reindexer: catalog,
      logger: { info: () => {}, error: (message, attributes) => console.error(message, attributes) },
    });
  });

  afterAll(async () => {
    await reader?.close();
    await world?.close();
  });

  it('indexes the default branch head; search finds the code at that commit', async () => {
    // Given: the repository on "GitHub", registered, with no index state and no push ever delivered
    const head = world.github.commit(REPO, DEFAULT_BRANCH, await sampleRepoFiles());
    world.github.commit(REPO, 'experiment', { 'only-on-a-branch.ts': 'export const x = 1;\n' });

    // When: an admin asks for a re-index, and the workers drain the queue
    const started = performance.now();
    const answer = await call('POST', `/repos/${encodeURIComponent(REPO.toLowerCase())}/reindex`);
    expect(answer, JSON.stringify(answer.body)).toMatchObject({ status: 202 });
    const job = JSON.parse(world.sqs.peek(JOB_QUEUE).at(-1)?.body ?? '{}') as Record<string, unknown>;
    expect(job).toMatchObject({ kind: 'sync', repo: REPO.toLowerCase(), reason: 'first index requested' });
    expect(job.branch).toBeUndefined();
    await world.drain([worker]);
    const elapsed = performance.now() - started;

    // Then: the default branch's head is the searchable commit of the index, under the canonical name
    const state = await world.indexState().get(REPO);
    expect(state).toMatchObject({ index: INDEX, repo: INDEX, branch: DEFAULT_BRANCH, commit: head });
    const { body } = await call('POST', '/search', {
      query: 'retry a failed upload with exponential backoff',
      repo: REPO,
      limit: 5,
    });
    const results = body.results as { path: string; commit: string | null }[];
    expect(results[0]?.path).toBe('src/upload/retry.ts');
    expect(results.every((result) => result.commit === head)).toBe(true);
    expect(await reader.fileChunks(REPO, 'only-on-a-branch.ts')).toEqual([]);
    const repos = (await call('GET', '/repos')).body.repos as { repo: string; commit: string | null }[];
    expect(repos.find((repo) => repo.repo === INDEX)?.commit).toBe(head);
    expect(world.github.requests).toContain(`GET /repos/${REPO.toLowerCase()}`);
    console.info(`first index through reindex: ${Math.round(elapsed)} ms`);
  });

  it('answers 404 with a clear message for a repository that is not registered', async () => {
    // Given: a repository GitHub has but nobody registered
    world.github.commit('acme/secret', 'main', { 'a.ts': 'export const a = 1;\n' });
    const queued = world.sqs.peek(JOB_QUEUE).length;

    // When
    const answer = await call('POST', '/repos/acme%2Fsecret/reindex');

    // Then: nothing is queued
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatch(/not registered: add it to the repositories table/);
    expect(world.sqs.peek(JOB_QUEUE).length).toBe(queued);
  });
});
