/**
 * The cost of freshness: a push touching 1 file of a 5,000-file repository must cost that file's chunks in
 * model calls and O(1) GitHub requests — not a listing of the repository, not a re-embedding. Measured on the
 * emulators with the bundled model and the real chunker, printed for the report, and bounded by assertions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { type Chunker, createChunker } from '#engine/chunking/index.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import { indexedTexts } from '#engine/indexing/embedding-text.ts';
import type { SqsHandler } from '#test/emulators/sqs-lambda-poller.ts';
import { type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const REPO = 'acme/big';
const FILES = 5_000;

/** A small module: one chunk. */
function small(i: number): string {
  return `export function value${i}(): number {\n  return ${i};\n}\n`;
}

/** Three functions large enough to be chunks of their own (the file the push changes). */
function module(i: number, body = `return ${i};`): string {
  const steps = (name: string) =>
    Array.from({ length: 25 }, (_, n) => `  const ${name}${n} = ${n} * ${i};`).join('\n');
  return [
    `export function value${i}(): number {\n${steps('v')}\n  ${body}\n}`,
    `export function label${i}(): string {\n${steps('l')}\n  return 'module ${i}';\n}`,
    `export function weight${i}(): number {\n${steps('w')}\n  return ${i} / 2;\n}`,
  ].join('\n\n');
}

describe(`a one-file push to a ${FILES.toLocaleString('en-US')}-file repository`, () => {
  let world: PipelineWorld;
  let chunker: Chunker;
  let workers: SqsHandler[];
  let queue: SqsJobQueue;
  let embedder: OnnxEmbedder;

  beforeAll(async () => {
    world = await startPipelineWorld();
    chunker = await createChunker();
    embedder = await createOnnxEmbedder({ workers: 1 }); // one session for both workers
    const opened = await Promise.all(
      [1, 2].map(() => world.openWorker({ embedder, chunker, settings: { batchFiles: 500 } })),
    );
    workers = opened.map((worker) => worker.handler);
    queue = new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string);
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++)
      files[`packages/p${i % 50}/src/module${i}.ts`] = i === 1207 ? module(i) : small(i);
    const commit = world.github.commit(REPO, 'main', files);
    await queue.send([
      { kind: 'sync', repo: REPO, index: REPO, branch: 'main', seq: 1, commit, reason: 'initial index' },
    ]);
    await world.drain(workers);
  }, 300_000);
  afterAll(async () => {
    chunker?.close();
    await world?.close();
    await embedder?.close();
  });

  it("costs that file's changed chunks in model calls and one GitHub request", async () => {
    // Given: the indexed repository, and a push changing one function of one file
    const path = 'packages/p7/src/module1207.ts';
    const { before, after } = world.github.change(REPO, 'main', { [path]: module(1207, 'return 1207 * 2;') });
    const texts = embedder.stats.texts;
    const batches = embedder.stats.batches;
    const githubBefore = world.github.requests.length;
    const dynamoBefore = new Map(world.dynamo.operations);
    const s3Before = world.s3.log.requests;

    // When
    const started = performance.now();
    await queue.send([
      {
        kind: 'push',
        repo: REPO,
        index: REPO,
        branch: 'main',
        seq: 2,
        before,
        after,
        upserted: [path],
        removed: [],
      },
    ]);
    await world.drain(workers.slice(0, 1));
    const ms = performance.now() - started;

    // Then
    const githubRequests = world.github.requests.slice(githubBefore);
    const modelTexts = embedder.stats.texts - texts;
    const dynamoCalls = [...world.dynamo.operations]
      .map(([op, n]) => [op, n - (dynamoBefore.get(op) ?? 0)] as const)
      .filter(([, n]) => n > 0);
    const fileChunks = chunker.chunk({
      repo: REPO,
      path,
      language: 'typescript',
      text: module(1207, 'return 1207 * 2;'),
    });
    expect(githubRequests).toEqual([`GET /repos/${REPO}/contents/${path}?ref=${after}`]);
    expect(modelTexts).toBeGreaterThan(0);
    // At most the file's chunks, each with its windows and names
    const fileTexts = fileChunks.reduce(
      (sum, chunk) => sum + indexedTexts(chunk, embedder.windowRescoring).texts.length,
      0,
    );
    expect(modelTexts).toBeLessThanOrEqual(fileTexts);
    expect((await world.indexState().get(REPO))?.commit).toBe(after);
    console.info(
      `push cost (${FILES} files, 1 changed): GitHub requests ${githubRequests.length}, model texts ${modelTexts} ` +
        `in ${embedder.stats.batches - batches} call(s) (the file has ${fileChunks.length} chunks), ` +
        `DynamoDB ${JSON.stringify(Object.fromEntries(dynamoCalls))}, S3 requests ${world.s3.log.requests - s3Before}, ` +
        `queue → searchable ${Math.round(ms)} ms`,
    );
  });

  it('a tree comparison of the same repository downloads and embeds nothing unchanged', async () => {
    const texts = embedder.stats.texts;
    const githubBefore = world.github.requests.length;
    const started = performance.now();
    await queue.send([
      {
        kind: 'sync',
        repo: REPO,
        index: REPO,
        branch: 'main',
        seq: 3,
        commit: world.github.head(REPO, 'main'),
        reason: 'check',
      },
    ]);
    await world.drain(workers.slice(0, 1));
    const requests = world.github.requests.slice(githubBefore);
    expect(requests).toHaveLength(1);
    expect(embedder.stats.texts).toBe(texts);
    console.info(
      `tree comparison of ${FILES} unchanged files: GitHub requests ${requests.length}, model texts 0, ${Math.round(performance.now() - started)} ms`,
    );
  });
});
