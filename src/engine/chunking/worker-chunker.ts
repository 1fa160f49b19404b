/**
 * The chunker behind worker threads, for every process that indexes (the CLI, a local server's re-index, the
 * Lambda index worker): the main thread only sends files and receives chunks, so its event loop never waits
 * on a parse, and each file has a deadline. Chunking is linear in a file's size for any input we know of, but
 * a file is hostile input: one that still runs past the deadline has its worker stopped (the only way to
 * interrupt synchronous WASM) and is cut into line windows instead, under the same deadline. If even that
 * fails, the file is refused with `ChunkingFailedError`, which indexing turns into a skip with a reason.
 * Same options, same output and same version as `createChunker`.
 */
import { pathToFileURL } from 'node:url';
import { CodeSearchError } from '../errors.ts';
import type { Chunk } from '../types.ts';
import {
  WorkerCrashError,
  WorkerPool,
  WorkerTaskFailedError,
  WorkerTaskTimeoutError,
} from '../workers/worker-pool.ts';
import type { ChunkInput } from './chunker.ts';
import type { ChunkerOptions } from './options.ts';

/** A file could not be chunked within its deadline, even in line windows. */
export class ChunkingFailedError extends CodeSearchError {}

export interface AsyncChunker {
  readonly version: string;
  /** @throws ChunkingFailedError when neither syntax nor line windows finish within the deadline. */
  chunk(file: ChunkInput): Promise<Chunk[]>;
  /** Files that ran past the deadline and were cut into line windows instead. */
  readonly stats: { deadlineFallbacks: number };
  close(): Promise<void>;
}

/** What the chunking worker is asked to do with a file. */
export interface ChunkTask {
  readonly file: ChunkInput;
  /** Skip the syntax tree: cut line windows (the fallback after a deadline). */
  readonly windowsOnly?: boolean;
}

/** Where the worker script lives when a bundler moved it (the Lambda bundle sets this). */
export const CHUNKING_WORKER_ENV = 'CODESEARCH_CHUNKING_WORKER';

export interface WorkerChunkerOptions extends ChunkerOptions {
  /**
   * Worker threads. One keeps up with the embedder on small machines (parsing is a small share of indexing).
   * @default 1
   */
  readonly workers?: number;
  /**
   * Time one file may take, per attempt. A 1 MiB file takes well under a second; this leaves room for a
   * slow machine. @default 20_000
   */
  readonly deadlineMs?: number;
  /** @default `$CODESEARCH_CHUNKING_WORKER` if set, else `./chunking-worker.ts` beside this module */
  readonly workerScript?: string | URL;
}

/**
 * @example
 * const chunker = await createWorkerChunker();
 * const chunks = await chunker.chunk({ repo: 'acme/api', path: 'src/app.ts', language: 'typescript', text });
 * await chunker.close();
 */
export async function createWorkerChunker(options: WorkerChunkerOptions = {}): Promise<AsyncChunker> {
  const { workers = 1, deadlineMs = 20_000, workerScript, ...chunkerOptions } = options;
  const script = workerScript ?? process.env[CHUNKING_WORKER_ENV];
  const { pool, infos } = await WorkerPool.start<ChunkTask, Chunk[], { version: string }>({
    size: workers,
    workerUrl:
      script === undefined || script === ''
        ? new URL('./chunking-worker.ts', import.meta.url)
        : script instanceof URL
          ? script
          : pathToFileURL(script),
    workerData: chunkerOptions,
    name: 'chunking worker',
  });
  const version = infos[0]?.version;
  if (version === undefined) throw new Error('chunking worker reported no version');
  const stats = { deadlineFallbacks: 0 };
  return {
    version,
    stats,
    chunk: (file) =>
      chunkWithDeadline(
        (task) => pool.run(task, { timeoutMs: deadlineMs }),
        file,
        deadlineMs,
        () => {
          stats.deadlineFallbacks++;
        },
      ),
    close: () => pool.close(),
  };
}

/**
 * The deadline policy, apart from the pool: syntax first; past the deadline, or if chunking the file threw or
 * the worker died on it, line windows; if that fails the same way, a `ChunkingFailedError`. Other failures
 * (the pool closed or broken) propagate as they are: they are not the file's fault.
 */
export async function chunkWithDeadline(
  run: (task: ChunkTask) => Promise<Chunk[]>,
  file: ChunkInput,
  deadlineMs: number,
  onFallback: () => void = () => {},
): Promise<Chunk[]> {
  try {
    return await run({ file });
  } catch (error) {
    if (!isFilesFault(error)) throw error;
  }
  onFallback();
  try {
    return await run({ file, windowsOnly: true });
  } catch (error) {
    if (!isFilesFault(error)) throw error;
    const what =
      error instanceof WorkerTaskTimeoutError
        ? `took longer than ${deadlineMs} ms`
        : error instanceof Error && error.cause instanceof WorkerTaskFailedError
          ? `failed (${error.cause.message.replace(/^.*? failed: /, '')})`
          : 'stopped the chunking worker';
    throw new ChunkingFailedError(`chunking ${what}, even in line windows; not indexed`, { cause: error });
  }
}

/** A timeout, an error thrown while chunking the file, or a worker that died while it had the file. */
function isFilesFault(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return (
    error instanceof WorkerTaskTimeoutError ||
    cause instanceof WorkerCrashError ||
    cause instanceof WorkerTaskFailedError
  );
}
