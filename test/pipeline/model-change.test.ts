/**
 * Deploying a new model on AWS, end to end on emulators with the real chunker: repositories indexed with the
 * bundled model (A), then search, the index workers and upkeep brought up with another model (B, the bundled
 * one with a different tokenizer, hence another model id and another index generation). Search keeps
 * answering (no results yet, never a 5xx), upkeep queues one rebuild per index, once, the workers embed
 * everything again with B into B's own table, and search finds the code with B; A's table is left untouched.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import { DynamoRepoRegistry } from '#adapters/aws/dynamo-repo-registry.ts';
import { openGenerationChunkStore } from '#adapters/aws/generation-chunk-store.ts';
import { queueMissingIndexes } from '#adapters/aws/generation-rebuilds.ts';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import type { HttpHandler } from '#api/http-types.ts';
import { NO_CACHE } from '#api/result-cache.ts';
import { createSearchApi } from '#api/search-api.ts';
import { CHUNKER_VERSION, type Chunker, createChunker } from '#engine/chunking/index.ts';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR, type OnnxEmbedder } from '#engine/embedding/index.ts';
import type { Job, SyncJob } from '#engine/pipeline/jobs.ts';
import { sampleRepoFiles } from '#test/helpers/sample-repo.ts';
import { openUpkeepTarget, type UpkeepTarget } from '../../functions/index-upkeep/upkeep-services.ts';
import { httpEvent } from './helpers/http-events.ts';
import { JOB_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const REPO = 'acme/widgets';
const BRANCH_INDEX = `${REPO}@release`;
const QUERY = 'retry a failed upload with exponential backoff';

interface RepoEntry {
  repo: string;
  commit: string | null;
  status: string;
}

describe('a deploy with another model rebuilds the index beside the old one', () => {
  let world: PipelineWorld;
  let work: string;
  let chunker: Chunker;
  let modelA: OnnxEmbedder;
  let modelB: OnnxEmbedder;
  let modelBDir: string;
  const closing: (() => Promise<void>)[] = [];

  /** Search as the search function wires it: the generation's table (created empty if new), its state. */
  async function openSearch(embedder: OnnxEmbedder): Promise<HttpHandler> {
    const { store, generation } = await openGenerationChunkStore({
      uri: world.indexUri,
      metadata: { modelId: embedder.modelId, dimension: embedder.dimension, chunkerVersion: CHUNKER_VERSION },
      storageOptions: world.s3.storageOptions,
      readConsistencySeconds: 0,
    });
    closing.push(() => store.close());
    const catalog = new IndexStateCatalog(
      new DynamoIndexStateStore(world.clients.documents, world.dynamo.tables.indexState, { generation }),
      new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)),
      { registry: new DynamoRepoRegistry(world.clients.documents, world.dynamo.tables.repositories) },
    );
    return createSearchApi({
      store,
      embedder,
      cache: NO_CACHE,
      catalog,
      reindexer: catalog,
      logger: { info: () => {}, error: (message, attributes) => console.error(message, attributes) },
    });
  }

  const call = async (api: HttpHandler, method: string, path: string, body?: unknown) => {
    const response = await api(
      httpEvent(method, path, body === undefined ? undefined : JSON.stringify(body), {
        'content-type': 'application/json',
      }),
    );
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  };
  const search = async (api: HttpHandler, repo: string) => {
    const answer = await call(api, 'POST', '/search', { query: QUERY, repo, limit: 5 });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.results as { path: string; commit: string | null }[];
  };
  const listRepos = async (api: HttpHandler) => (await call(api, 'GET', '/repos')).body.repos as RepoEntry[];
  const queuedJobs = (): Job[] => world.sqs.peek(JOB_QUEUE).map((message) => JSON.parse(message.body) as Job);

  async function openUpkeep(modelDir: string): Promise<UpkeepTarget> {
    const upkeep = await openUpkeepTarget({ ...world.env, CODESEARCH_MODEL_DIR: modelDir }, world.clients);
    closing.push(() => upkeep.store.close());
    return upkeep;
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-model-change-'));
    // Model B: the bundled model whose tokenizer has one more vocabulary entry (another model id)
    modelBDir = join(work, 'model-b');
    await cp(DEFAULT_MODEL_DIR, modelBDir, { recursive: true });
    const tokenizer = JSON.parse(await readFile(join(modelBDir, 'tokenizer.json'), 'utf8'));
    tokenizer.model.vocab.zzzcodesearchtest = Object.keys(tokenizer.model.vocab).length;
    await writeFile(join(modelBDir, 'tokenizer.json'), JSON.stringify(tokenizer));
    [world, chunker, modelA, modelB] = await Promise.all([
      startPipelineWorld(),
      createChunker(),
      createOnnxEmbedder({ workers: 1 }),
      createOnnxEmbedder({ modelDir: modelBDir, workers: 1 }),
    ]);
  });

  afterAll(async () => {
    for (const close of closing) await close();
    await world?.close();
    await modelA?.close();
    await modelB?.close();
    chunker?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('search answers, upkeep queues each rebuild once, the workers rebuild with the new model', async () => {
    // Given: a registered repository and one of its branches, indexed with model A
    expect(world.generation(modelB)).not.toBe(world.generation(modelA));
    const head = world.github.commit(REPO, 'main', await sampleRepoFiles());
    const release = world.github.commit(REPO, 'release', { 'src/release.ts': 'export const channel = 1;\n' });
    await world.register(REPO, ['release']);
    const queue = new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL));
    await queue.send([
      { kind: 'sync', repo: REPO, index: REPO, branch: 'main', seq: 1, reason: 'test' },
      { kind: 'sync', repo: REPO, index: BRANCH_INDEX, branch: 'release', seq: 1, reason: 'test' },
    ]);
    const workerA = await world.openWorker({ embedder: modelA, chunker });
    expect((await world.drain([workerA.handler])).failures).toBe(0);
    const upkeepA = await openUpkeep(DEFAULT_MODEL_DIR);
    expect((await upkeepA.queueRebuilds()).queued).toEqual([]); // nothing missing: nothing queued
    const readerA = await world.openReader(modelA);
    closing.push(() => readerA.close());
    const chunksA = await readerA.countChunks();
    expect(chunksA).toBeGreaterThan(0);

    // When: search comes up with model B
    const searchB = await openSearch(modelB);

    // Then: it answers, with nothing for the repository yet, which GET /repos shows as being indexed
    expect(await search(searchB, REPO)).toEqual([]);
    expect(await listRepos(searchB)).toEqual([
      expect.objectContaining({ repo: REPO, branch: null, commit: null, status: 'indexing' }),
      // The branch index is listed as its repository and branch.
      expect.objectContaining({
        repo: REPO,
        branch: 'release',
        commit: null,
        status: 'indexing',
      }),
    ]);

    // When: upkeep runs with model B, twice
    const upkeepB = await openUpkeep(modelBDir);
    const first = await upkeepB.queueRebuilds();
    const second = await upkeepB.queueRebuilds();

    // Then: one sync per index, as recorded in A's generation; the second run queues nothing
    expect(first.queued).toEqual([REPO, BRANCH_INDEX]);
    expect(second).toEqual({ queued: [], underWay: [REPO, BRANCH_INDEX] });
    const rebuilds = queuedJobs() as SyncJob[];
    expect(rebuilds).toHaveLength(2);
    expect(rebuilds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'sync', repo: REPO, index: REPO, branch: 'main' }),
        expect.objectContaining({ kind: 'sync', repo: REPO, index: BRANCH_INDEX, branch: 'release' }),
      ]),
    );

    // When: the workers, now with model B, drain the queue
    const embeddedBefore = modelB.stats.texts;
    const workerB = await world.openWorker({ embedder: modelB, chunker });
    expect((await world.drain([workerB.handler])).failures).toBe(0);

    // Then: every file was embedded again with B, into B's own table; A's table is as it was
    const readerB = await world.openReader(modelB);
    closing.push(() => readerB.close());
    expect(await readerB.countChunks()).toBe(chunksA);
    expect(modelB.stats.texts - embeddedBefore).toBeGreaterThanOrEqual(chunksA);
    expect(await readerA.countChunks()).toBe(chunksA);
    expect((await world.fileHashes(modelB).listFiles(REPO)).size).toBe(
      (await world.fileHashes(modelA).listFiles(REPO)).size,
    );

    // …search with B finds the code at the branch head, and GET /repos shows both indexes ready
    expect((await search(searchB, REPO))[0]).toMatchObject({ path: 'src/upload/retry.ts', commit: head });
    expect(await listRepos(searchB)).toEqual([
      expect.objectContaining({ repo: REPO, commit: head, status: 'ready' }),
      expect.objectContaining({ repo: REPO, branch: 'release', commit: release, status: 'ready' }),
    ]);

    // …and the next upkeep run queues nothing
    expect(await upkeepB.queueRebuilds()).toEqual({ queued: [], underWay: [] });
    expect(queuedJobs()).toEqual([]);
  });
});

describe('queueMissingIndexes', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('queues a registered repository once, and again only when its job never claimed it in time', async () => {
    // Given: a registered repository never indexed in this generation, and a clock
    let clock = 1_000_000;
    const sent: Job[] = [];
    const deps = {
      state: new DynamoIndexStateStore(world.clients.documents, world.dynamo.tables.indexState, {
        generation: 'aaaaaaaaaaaa',
        now: () => clock,
      }),
      registry: { list: async () => [{ repo: 'acme/lost', branches: [] }] },
      queue: { send: async (jobs: readonly Job[]) => void sent.push(...jobs) },
      now: () => clock,
      retryAfterMs: 60_000,
    };

    // When: upkeep runs, then again within the retry time, then after it (the job was lost)
    const runs = [await queueMissingIndexes(deps)];
    clock += 59_000;
    runs.push(await queueMissingIndexes(deps));
    clock += 2_000;
    runs.push(await queueMissingIndexes(deps));

    // Then: a first index of the default branch, not repeated while it may still be waiting, then retried
    expect(runs.map((run) => run.queued)).toEqual([['acme/lost'], [], ['acme/lost']]);
    expect(sent[0]).toEqual({
      kind: 'sync',
      repo: 'acme/lost',
      index: 'acme/lost',
      seq: 1_000_000,
      reason: 'not indexed in this index generation yet (model changed, or never indexed)',
    });
    expect(await deps.state.list()).toEqual([]); // markers are not indexes
  });
});
