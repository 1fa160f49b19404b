/**
 * The chunker behind worker threads, for long-running processes (the CLI's indexing, a local server that
 * indexes): the main thread only sends files and receives chunks, so its event loop never waits on a parse.
 * Same options, same output and same version as `createChunker`.
 */
import type { Chunk } from '../types.ts';
import { WorkerPool } from '../workers/worker-pool.ts';
import type { ChunkInput } from './chunker.ts';
import type { ChunkerOptions } from './options.ts';

export interface AsyncChunker {
  readonly version: string;
  chunk(file: ChunkInput): Promise<Chunk[]>;
  close(): Promise<void>;
}

export interface WorkerChunkerOptions extends ChunkerOptions {
  /**
   * Worker threads. One keeps up with the embedder on small machines (parsing is a small share of indexing).
   * @default 1
   */
  readonly workers?: number;
}

/**
 * @example
 * const chunker = await createWorkerChunker();
 * const chunks = await chunker.chunk({ repo: 'acme/api', path: 'src/app.ts', language: 'typescript', text });
 * await chunker.close();
 */
export async function createWorkerChunker(options: WorkerChunkerOptions = {}): Promise<AsyncChunker> {
  const { workers = 1, ...chunkerOptions } = options;
  const { pool, infos } = await WorkerPool.start<ChunkInput, Chunk[], { version: string }>({
    size: workers,
    workerUrl: new URL('./chunking-worker.ts', import.meta.url),
    workerData: chunkerOptions,
    name: 'chunking worker',
  });
  const version = infos[0]?.version;
  if (version === undefined) throw new Error('chunking worker reported no version');
  return {
    version,
    chunk: (file) => pool.run(file),
    close: () => pool.close(),
  };
}
