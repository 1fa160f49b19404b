import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOnnxEmbedder, EmbeddingError } from '#engine/embedding/index.ts';
import { ConfigError, InvalidRequestError } from '#engine/errors.ts';
import { WorkerPool, WorkerStartError, WorkerTaskTimeoutError } from '#engine/workers/worker-pool.ts';
import { writeTinyModelDir } from './helpers/tiny-model.ts';

const FAKE_WORKER = new URL('./helpers/crashing-worker.ts', import.meta.url);
type FakeRequest = { kind: 'echo' | 'fail' | 'crash' | 'exit' | 'hang' | 'spin'; value?: unknown };

function startFakePool(size: number, workerData: unknown = {}) {
  return WorkerPool.start<FakeRequest, unknown, { pid: number }>({
    size,
    workerUrl: FAKE_WORKER,
    workerData,
    name: 'test worker',
    // The pool raises its caller's error class: the embedder's callers see EmbeddingError.
    errorClass: EmbeddingError,
  });
}

describe('WorkerPool failure handling', () => {
  it('stops a task stuck in synchronous code at its time limit, and carries on with a new worker', async () => {
    const { pool } = await startFakePool(1);
    try {
      // Given a task that never returns, and one queued behind it
      const stuck = pool.run({ kind: 'spin' }, { timeoutMs: 200 }).catch((e: unknown) => e);
      const next = pool.run({ kind: 'echo', value: 'after' });

      // Then the first fails with a timeout, and the next runs on the replacement worker
      const error = await stuck;
      expect(error).toBeInstanceOf(WorkerTaskTimeoutError);
      expect(String(error)).toMatch(/within 200 ms/);
      await expect(next).resolves.toBe('after');
      await expect(pool.run({ kind: 'echo', value: 1 }, { timeoutMs: 5_000 })).resolves.toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('rejects the task of a worker that crashes, then replaces the worker', async () => {
    const { pool } = await startFakePool(1);
    try {
      await expect(pool.run({ kind: 'crash' })).rejects.toThrow(
        /test worker 1\/1 stopped unexpectedly.*native code fell over/,
      );
      await expect(pool.run({ kind: 'echo', value: 42 })).resolves.toBe(42);
    } finally {
      await pool.close();
    }
  });

  it('rejects the task of a worker that exits, and keeps the other tasks going', async () => {
    const { pool } = await startFakePool(2);
    try {
      const results = await Promise.allSettled([
        pool.run({ kind: 'exit' }),
        ...Array.from({ length: 6 }, (_, i) => pool.run({ kind: 'echo', value: i })),
      ]);
      expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(EmbeddingError) });
      expect(String((results[0] as PromiseRejectedResult).reason.message)).toMatch(/exit code 7/);
      expect(results.slice(1).map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual([
        0, 1, 2, 3, 4, 5,
      ]);
    } finally {
      await pool.close();
    }
  });

  it('passes a worker-reported error through as EmbeddingError', async () => {
    const { pool } = await startFakePool(1);
    try {
      const error = await pool.run({ kind: 'fail' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddingError);
      expect((error as Error).message).toContain('RangeError: index 12 out of range');
    } finally {
      await pool.close();
    }
  });

  it('rejects pending and queued tasks on close, and later tasks too', async () => {
    const { pool } = await startFakePool(1);
    // Handlers are attached before close() so the rejections are observed, not reported as unhandled.
    const hanging = pool.run({ kind: 'hang' }).catch((e: unknown) => e);
    const queued = pool.run({ kind: 'echo', value: 1 }).catch((e: unknown) => e);
    await pool.close();
    expect(await hanging).toBeInstanceOf(EmbeddingError);
    expect(String(await queued)).toMatch(/closed/);
    await expect(pool.run({ kind: 'echo', value: 2 })).rejects.toThrow(/closed/);
    await pool.close(); // idempotent
  });

  it('fails queued and later tasks when a crashed worker cannot be replaced', async () => {
    const poisonFile = join(await mkdtemp(join(tmpdir(), 'codesearch-pool-')), 'poison');
    const { pool } = await startFakePool(1, { poisonFile });
    try {
      const crashed = pool.run({ kind: 'crash' }).catch((e: unknown) => e);
      const queued = pool.run({ kind: 'echo', value: 1 }).catch((e: unknown) => e);
      expect(String(await crashed)).toMatch(/stopped unexpectedly/);
      expect(String(await queued)).toMatch(/could not be restarted.*weights file is corrupt/);
      await expect(pool.run({ kind: 'echo', value: 2 })).rejects.toThrow(/could not be restarted/);
    } finally {
      await pool.close();
    }
  });

  it('reports a worker that cannot start', async () => {
    await expect(startFakePool(2, { failInit: true })).rejects.toThrow(WorkerStartError);
    await expect(startFakePool(1, { failInit: true })).rejects.toThrow(/weights file is corrupt/);
  });
});

describe('embedder failure handling', () => {
  it('rejects a batch the runtime cannot run, with the runtime message, and keeps working', async () => {
    // The token table has 9 rows but the vocabulary 10 entries: "retry" (id 9) is out of range.
    const dir = await writeTinyModelDir({ tableRows: 9 });
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1 });
    try {
      const error = await embedder.embedDocuments(['hello', 'retry']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddingError);
      expect((error as Error).message).toMatch(
        /embedding worker 1\/1 failed: .*(out of bounds|invalid|indices)/i,
      );
      await expect(embedder.embedDocuments(['hello'])).resolves.toHaveLength(1);
    } finally {
      await embedder.close();
    }
  });

  it('rejects texts that are not strings with InvalidRequestError naming them', async () => {
    const embedder = await createOnnxEmbedder({ modelDir: await writeTinyModelDir(), workers: 1 });
    try {
      const error = await embedder
        .embedDocuments(['ok', 7 as unknown as string, null as unknown as string])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).issues.map((i) => i.path)).toEqual(['texts[1]', 'texts[2]']);
      await expect(embedder.embedQuery(undefined as unknown as string)).rejects.toThrow(InvalidRequestError);
    } finally {
      await embedder.close();
    }
  });

  it('rejects bad options with ConfigError', async () => {
    await expect(createOnnxEmbedder({ workers: 0 })).rejects.toThrow(ConfigError);
    await expect(createOnnxEmbedder({ batchSize: 1.5 })).rejects.toThrow(/batchSize/);
  });

  it('close() stops the workers, rejects later calls and can be called twice', async () => {
    const embedder = await createOnnxEmbedder({ modelDir: await writeTinyModelDir(), workers: 2 });
    const pending = embedder
      .embedDocuments(Array.from({ length: 500 }, (_, i) => `hello world ${i}`))
      .catch((e: unknown) => e);
    await embedder.close();
    expect(String(await pending)).toMatch(/closed/);
    await expect(embedder.embedQuery('hello')).rejects.toThrow(/closed/);
    await embedder.close();
  });
});
