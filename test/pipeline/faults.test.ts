/**
 * Faults everywhere: GitHub answers with 5xx and rate limits, S3 with SlowDown and InternalError, DynamoDB with
 * throttling and 500s (the SDK's own retries are cut to 2 attempts so that some faults reach the pipeline).
 * After the workers' retries and the queue's redeliveries, the index must equal the one a fault-free run
 * builds from the same pushes: same chunks, same vectors (from the bundled model), same file hashes, same
 * searchable commit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { type Chunker, createChunker } from '#engine/chunking/index.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import type { Job } from '#engine/pipeline/jobs.ts';
import { type FaultPlan, randomFaults } from '#test/emulators/faults.ts';
import { primaryRateLimit, SERVER_ERROR, secondaryRateLimit } from '#test/emulators/github-emulator.ts';
import { DEAD_LETTER_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const REPO = 'acme/flaky';

function file(i: number, version: string): string {
  return `export function step${i}(): string {\n  // ${version}\n  return 'step ${i} ${version}';\n}\n\nexport const LIMIT_${i} = ${i * 10};\n`;
}

/** Three pushes: the initial tree (a sync), a change to a few files, a change with deletions and a rename. */
async function playHistory(
  world: PipelineWorld,
  workers: number,
  shared: { chunker: Chunker; embedder: OnnxEmbedder },
  maxAttempts?: number,
) {
  const { chunker, embedder } = shared;
  const opened = await Promise.all(
    Array.from({ length: workers }, () =>
      world.openWorker({
        embedder,
        chunker,
        maxAttempts,
        settings: { batchFiles: 8 },
        env: { CODESEARCH_MAX_RECEIVES: '25' },
      }),
    ),
  );
  const handlers = opened.map((worker) => worker.handler);
  const queue = new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string);
  const base = { repo: REPO, index: REPO, branch: 'main' } as const;
  let failures = 0;
  const run = async (job: Job) => {
    await queue.send([job]);
    failures += (await world.drain(handlers, { batchSize: 2 })).failures;
  };

  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`src/step${i}.ts`] = file(i, 'v1');
  const first = world.github.commit(REPO, 'main', files);
  await run({ ...base, kind: 'sync', seq: 1000, commit: first, reason: 'initial' });

  const second = world.github.change(REPO, 'main', {
    'src/step1.ts': file(1, 'v2'),
    'src/step2.ts': file(2, 'v2'),
  });
  await run({
    ...base,
    kind: 'push',
    seq: 2000,
    before: second.before,
    after: second.after,
    upserted: ['src/step1.ts', 'src/step2.ts'],
    removed: [],
  });

  const third = world.github.change(REPO, 'main', {
    'src/step3.ts': null,
    'src/step4.ts': null,
    'lib/step4.ts': file(4, 'v1'),
    'src/step5.ts': file(5, 'v3'),
  });
  await run({
    ...base,
    kind: 'push',
    seq: 3000,
    before: third.before,
    after: third.after,
    upserted: ['lib/step4.ts', 'src/step5.ts'],
    removed: ['src/step3.ts', 'src/step4.ts'],
  });
  return { head: third.after, failures };
}

/**
 * The index as data: chunks, their vectors, file hashes, searchable commit. Vectors are compared with a
 * tolerance: the same text can be embedded in batches of different make-up (retries, cache misses), and
 * padding to another length may change the last bits of a float.
 */
async function snapshot(world: PipelineWorld, model: Pick<OnnxEmbedder, 'modelId' | 'dimension'>) {
  const reader = await world.openReader(model);
  try {
    const rows = await reader.listChunks({ repos: [REPO] }, 100_000);
    const vectors = new Map<string, Float32Array>();
    for (const row of rows) vectors.set(row.id, (await reader.chunkVector(row.id)) ?? new Float32Array());
    const hashes = await world.fileHashes().listFiles(REPO);
    const state = await world.indexState().get(REPO);
    return {
      chunks: rows
        .map((row) => `${row.id} ${row.path}:${row.startLine}-${row.endLine} ${row.content}`)
        .sort(),
      vectors,
      hashes: [...hashes.values()]
        .map((record) => `${record.path} ${record.hash} ${record.chunkCount}`)
        .sort(),
      commit: state?.commit,
      writers: state?.writers,
    };
  } finally {
    await reader.close();
  }
}

/** The largest difference between two vectors, component by component (Infinity if their sizes differ). */
function maxDifference(a: Float32Array | undefined, b: Float32Array | undefined): number {
  if (!a || !b || a.length !== b.length || a.length === 0) return Number.POSITIVE_INFINITY;
  return a.reduce((max, x, i) => Math.max(max, Math.abs(x - (b[i] ?? Number.NaN))), 0);
}

describe('faults during indexing', () => {
  const worlds: PipelineWorld[] = [];
  let chunker: Chunker | undefined;
  let embedder: OnnxEmbedder | undefined;
  afterAll(async () => {
    chunker?.close();
    for (const world of worlds) await world.close();
    await embedder?.close();
  });

  it('after retries and redelivery the index equals a fault-free run', { timeout: 300_000 }, async () => {
    chunker = await createChunker();
    // The bundled model, one session for the workers of both runs
    embedder = await createOnnxEmbedder({ workers: 1 });
    const shared = { chunker, embedder };
    // Given: a fault-free run of the history
    const clean = await startPipelineWorld();
    worlds.push(clean);
    const reference = await playHistory(clean, 2, shared);
    const expected = await snapshot(clean, embedder);
    expect(reference.failures).toBe(0);

    // When: the same history with faults injected into every service
    const github: FaultPlan = randomFaults({
      rate: 0.25,
      budget: 25,
      seed: 7,
      faults: [SERVER_ERROR, { ...SERVER_ERROR, status: 500 }, secondaryRateLimit(0), primaryRateLimit(0)],
    });
    const s3: FaultPlan = randomFaults({
      rate: 0.04,
      budget: 30,
      seed: 11,
      faults: [
        { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
        {
          status: 500,
          code: 'InternalError',
          message: 'We encountered an internal error. Please try again.',
        },
      ],
    });
    const dynamo: FaultPlan = randomFaults({
      rate: 0.15,
      budget: 30,
      seed: 13,
      faults: [
        { status: 400, code: 'ProvisionedThroughputExceededException', message: 'Throughput exceeded' },
        { status: 500, code: 'InternalServerError', message: 'Internal server error' },
      ],
      when: (target) => target.operation !== 'CreateTable',
    });
    const faulty = await startPipelineWorld({ github: { faults: github }, s3Faults: s3 });
    worlds.push(faulty);
    faulty.dynamo.setFaults(dynamo);
    const outcome = await playHistory(faulty, 3, shared, 2);
    faulty.dynamo.setFaults({ injected: 0, decide: () => undefined });
    const actual = await snapshot(faulty, embedder);

    // Then: faults happened, some reached the queue as failed records, none was dead-lettered, and the
    // index is the same
    expect(github.injected).toBeGreaterThan(5);
    expect(s3.injected).toBeGreaterThan(5);
    expect(dynamo.injected).toBeGreaterThan(5);
    expect(outcome.failures).toBeGreaterThan(0);
    expect(faulty.sqs.peek(DEAD_LETTER_QUEUE)).toEqual([]);
    expect(actual.commit).toBe(outcome.head);
    expect(actual.writers).toEqual([]);
    expect(actual.hashes).toEqual(expected.hashes);
    expect(actual.chunks).toEqual(expected.chunks);
    const drift = [...expected.vectors].map(([id, vector]) => maxDifference(vector, actual.vectors.get(id)));
    expect(Math.max(...drift)).toBeLessThan(1e-5);
    console.info(
      `faults: GitHub ${github.injected}, S3 ${s3.injected}, DynamoDB ${dynamo.injected} injected; ${outcome.failures} failed deliveries redelivered`,
    );
  });
});
