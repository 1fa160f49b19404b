/**
 * 16 index workers — each with its own LanceDB connection, like 16 Lambda instances — commit batches of one
 * repository to the same table on the S3 emulator at once, and SQS delivers every message twice. LanceDB's
 * conditional commits (`If-None-Match: *`, honoured by the emulator's layer) and the declared primary key
 * must leave exactly one row per chunk: none lost, none duplicated.
 *
 * Nothing here races a clock: the workers run until the queue is empty, however long a loaded machine takes
 * (the poller's safety net and the test's timeout are minutes). A delivery that fails under load — a commit
 * that lost too many races in a row, say — is redelivered as SQS would; what must hold is the end state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { type Chunker, createChunker } from '#engine/chunking/index.ts';
import { detectLanguage } from '#engine/discovery/index.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import { indexedTexts } from '#engine/indexing/embedding-text.ts';
import type { PipelineLog } from '#engine/pipeline/ports.ts';
import { DEAD_LETTER_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const REPO = 'acme/monorepo';
const WORKERS = 16;
const FILES = 16 * 12;

function source(i: number): string {
  // Two or three functions per file, so files have several chunks.
  const extra =
    i % 3 === 0
      ? `\nexport function extra${i}(values: number[]): number {\n${'  values.push(1);\n'.repeat(40)}  return values.length;\n}\n`
      : '';
  return `export function compute${i}(input: number): number {\n${'  input += 1;\n'.repeat(30)}  return input;\n}\n\nexport class Service${i} {\n  run(): string {\n    return 'service ${i}';\n  }\n}\n${extra}`;
}

describe(`${WORKERS} concurrent workers writing one repository's table`, () => {
  let world: PipelineWorld;
  let chunker: Chunker;
  let embedder: OnnxEmbedder;

  beforeAll(async () => {
    world = await startPipelineWorld({ duplicateDeliveries: true });
    chunker = await createChunker();
    // The bundled model, one ONNX session for all 16 workers (a Lambda instance would have its own)
    embedder = await createOnnxEmbedder({ workers: 1 });
  });
  afterAll(async () => {
    chunker?.close();
    await embedder?.close();
    await world?.close();
  });

  it('commits every chunk exactly once', { timeout: 300_000 }, async () => {
    // Given: a repository of 192 files, planned into 16 batches, each delivered twice
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`pkg${i % 8}/src/file${i}.ts`] = source(i);
    const commit = world.github.commit(REPO, 'main', files);
    const retried: string[] = []; // why deliveries failed, for the report
    const log: PipelineLog = {
      info() {},
      warn(message, fields) {
        if (message.startsWith('job failed')) retried.push(String(fields?.reason).slice(0, 200));
      },
    };
    const workers = await Promise.all(
      Array.from({ length: WORKERS }, () =>
        world.openWorker({ embedder, chunker, log, settings: { batchFiles: FILES / WORKERS } }),
      ),
    );
    await new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string).send([
      { kind: 'sync', repo: REPO, index: REPO, branch: 'main', seq: 1, commit, reason: 'concurrency test' },
    ]);

    // When: 16 workers drain the queue side by side
    const started = performance.now();
    const report = await world.drain(workers.map((worker) => worker.handler));
    const seconds = (performance.now() - started) / 1000;

    // Then: the table holds exactly the chunks the chunker makes of these files
    const expected = new Set<string>();
    // What indexing embeds for each chunk once: its text, and its windows and names.
    let textsOnce = 0;
    for (const [path, text] of Object.entries(files)) {
      const language = detectLanguage(path);
      if (!language) throw new Error(`no language for ${path}`);
      for (const chunk of chunker.chunk({ repo: REPO, path, language, text })) {
        expected.add(chunk.id);
        textsOnce += indexedTexts(chunk, embedder.windowRescoring).texts.length;
      }
    }
    const reader = await world.openReader(embedder);
    try {
      const rows = await reader.listChunks({ repos: [REPO] }, 100_000);
      const ids = rows.map((row) => row.id);
      expect(ids.length).toBe(expected.size); // no duplicates, nothing lost
      expect(new Set(ids)).toEqual(expected);
      expect(await reader.countChunks()).toBe(expected.size);
    } finally {
      await reader.close();
    }
    // …the commit is published with no writer left behind, and nothing gave up on the way
    const state = await world.indexState().get(REPO);
    expect(state?.commit).toBe(commit);
    expect(state?.writers).toEqual([]);
    expect(world.sqs.peek(DEAD_LETTER_QUEUE)).toEqual([]);
    expect(report.records - report.failures).toBeGreaterThanOrEqual(2 * (1 + WORKERS)); // every planner and batch, twice
    expect(world.s3.log.refusedCreates).toBeGreaterThan(0); // commits really raced, and lost races were retried
    // The embedding cache served the duplicate deliveries (two copies of a batch running at once may both miss)
    expect(embedder.stats.texts).toBeLessThanOrEqual(2 * textsOnce);
    console.info(
      `concurrency: ${expected.size} chunks from ${FILES} files, ${report.records} deliveries (${report.failures} failed and redelivered) over ${WORKERS} workers in ${seconds.toFixed(1)} s; ` +
        `${world.s3.log.conditionalCreates} conditional creates, ${world.s3.log.refusedCreates} refused and retried; ${embedder.stats.texts} model texts` +
        (retried.length > 0 ? `; redelivered because: ${[...new Set(retried)].join(' | ')}` : ''),
    );
  });
});
