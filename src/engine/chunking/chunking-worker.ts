/**
 * Worker-thread entry for `createWorkerChunker`: parsing a large file takes tens of milliseconds of
 * synchronous WASM work, which would otherwise stall the indexing process's event loop (and any server
 * sharing it). Runs one chunker; answers one task at a time (see #engine/workers/protocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toWireError, type WorkerReply, type WorkerTask } from '../workers/protocol.ts';
import { createChunker } from './chunker.ts';
import type { ChunkerOptions } from './options.ts';
import type { ChunkTask } from './worker-chunker.ts';

const port = parentPort;
if (!port) throw new Error('chunking-worker.ts must run inside a worker thread');

function post(reply: WorkerReply<{ version: string }>): void {
  port?.postMessage(reply);
}

try {
  const chunker = await createChunker(workerData as ChunkerOptions);
  port.on('message', ({ id, request }: WorkerTask<ChunkTask>) => {
    try {
      const result = request.windowsOnly ? chunker.chunkInWindows(request.file) : chunker.chunk(request.file);
      post({ type: 'result', id, result });
    } catch (error) {
      post({ type: 'error', id, error: toWireError(error) });
    }
  });
  post({ type: 'ready', info: { version: chunker.version } });
} catch (error) {
  post({ type: 'init-failed', error: toWireError(error) });
}
