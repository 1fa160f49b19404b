/**
 * End to end on emulators, with the real chunker and the bundled ONNX model: a signed GitHub push reaches the
 * webhook function → a job on the queue → the index worker → LanceDB on the S3 emulator → the search API
 * finds the new code and no longer finds deleted code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import type { LanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import type { HttpHandler } from '#api/http-types.ts';
import { NO_CACHE } from '#api/result-cache.ts';
import { createSearchApi } from '#api/search-api.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import type { SqsHandler } from '#test/emulators/sqs-lambda-poller.ts';
import { sampleRepoFiles } from '#test/helpers/sample-repo.ts';
import type { WebhookHandler } from '../../functions/webhook/webhook-handler.ts';
import { githubDelivery, httpEvent } from './helpers/http-events.ts';
import { type PipelineWorld, startPipelineWorld, WEBHOOK_SECRET } from './helpers/pipeline-world.ts';
import { branchCreatedExample, EXAMPLE_REPO, pushPayload } from './helpers/webhook-examples.ts';

interface SearchPage {
  results: {
    repo: string;
    commit: string | null;
    path: string;
    startLine: number;
    endLine: number;
    snippet: string;
  }[];
}

describe('push → webhook → queue → worker → LanceDB on S3 → search', () => {
  let world: PipelineWorld;
  let webhook: WebhookHandler;
  let worker: SqsHandler;
  let search: HttpHandler;
  let reader: LanceChunkStore;
  const timings: Record<string, number> = {};

  const deliver = async (payload: unknown) => {
    const response = await webhook(
      githubDelivery('push', payload, { secret: WEBHOOK_SECRET }),
      lambdaContext('webhook'),
    );
    expect(response.statusCode, String(response.body)).toBe(202);
  };
  const find = async (query: string): Promise<SearchPage['results']> => {
    const response = await search(
      httpEvent('POST', '/search', JSON.stringify({ query, repo: EXAMPLE_REPO, limit: 5 }), {
        'content-type': 'application/json',
      }),
    );
    expect(response.statusCode, response.body).toBe(200);
    return (JSON.parse(response.body) as SearchPage).results;
  };

  beforeAll(async () => {
    world = await startPipelineWorld();
    await world.register(EXAMPLE_REPO);
    webhook = world.openWebhook();
    const opened = await world.openWorker(); // the real ONNX embedder and chunker, as in Lambda
    worker = opened.handler;
    reader = await world.openReader(opened.deps.pipeline.embedder);
    // As in Lambda: the index-state table tells the API which commit each repository is searchable at
    const catalog = new IndexStateCatalog(
      world.indexState(),
      new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)),
    );
    search = createSearchApi({
      store: reader,
      embedder: opened.deps.pipeline.embedder,
      cache: NO_CACHE,
      catalog,
      logger: { info: () => {}, error: (message, attributes) => console.error(message, attributes) },
    });
  });

  afterAll(async () => {
    await reader?.close();
    await world?.close();
  });

  it('indexes a newly created branch through a tree comparison', async () => {
    // Given: the repository on "GitHub" and GitHub's own example payload for creating master
    const after = world.github.commit(EXAMPLE_REPO, 'master', await sampleRepoFiles());
    const payload: Record<string, unknown> = { ...branchCreatedExample(), after };
    (payload.repository as Record<string, unknown>).pushed_at = 1_700_000_000;

    // When: the delivery arrives and the workers drain the queue
    const started = performance.now();
    await deliver(payload);
    await world.drain([worker]);
    timings.firstIndex = performance.now() - started;

    // Then: the commit is searchable
    const state = await world.indexState().get(EXAMPLE_REPO);
    expect(state?.commit).toBe(after);
    const hits = await find('retry a failed upload with exponential backoff');
    expect(hits[0]?.path).toBe('src/upload/retry.ts');
    expect(hits[0]?.commit).toBe(after);
    expect(await reader.countChunks(EXAMPLE_REPO)).toBeGreaterThan(8);
  });

  it('applies a push: new code is found, deleted code is not', async () => {
    // Given: a push that adds a function to one file and deletes another
    const retry =
      world.github
        .filesAt(EXAMPLE_REPO, world.github.head(EXAMPLE_REPO, 'master'))
        .get('src/upload/retry.ts') ?? '';
    const { before, after } = world.github.change(EXAMPLE_REPO, 'master', {
      'src/upload/retry.ts': `${retry}\nexport function quarantineCorruptedChunk(chunkId: string): void {\n  console.warn('moving corrupted chunk to quarantine', chunkId);\n}\n`,
      'lib/invoices.py': null,
    });
    const payload = pushPayload({
      before,
      after,
      pushedAt: 1_700_000_060,
      commits: [{ modified: ['src/upload/retry.ts'], removed: ['lib/invoices.py'] }],
    });
    expect((await find('compute invoice total with sales tax')).map((hit) => hit.path)).toContain(
      'lib/invoices.py',
    );

    // When
    const started = performance.now();
    await deliver(payload);
    await world.drain([worker]);
    timings.pushToSearchable = performance.now() - started;

    // Then
    const added = await find('quarantineCorruptedChunk');
    expect(added[0]?.path).toBe('src/upload/retry.ts');
    expect(added[0]?.snippet).toContain('quarantineCorruptedChunk');
    expect(added.map((hit) => hit.commit)).toEqual(added.map(() => after)); // the pushed commit
    expect((await find('compute invoice total with sales tax')).map((hit) => hit.path)).not.toContain(
      'lib/invoices.py',
    );
    expect(await reader.fileChunks(EXAMPLE_REPO, 'lib/invoices.py')).toEqual([]);
    console.info(
      `end-to-end timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`,
    );
  });
});
