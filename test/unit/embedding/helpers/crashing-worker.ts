/**
 * A stand-in worker for WorkerPool tests. It speaks the pool's protocol and misbehaves on request:
 * `{ kind: 'echo' }` answers, `{ kind: 'fail' }` replies with an error, `{ kind: 'crash' }` throws an uncaught
 * exception (the thread dies), `{ kind: 'exit' }` calls process.exit(7), `{ kind: 'hang' }` never answers,
 * `{ kind: 'spin' }` never returns from synchronous code (as a runaway parse would not).
 * With workerData `{ failInit: true }` it reports that it could not start; with `{ poisonFile }` a crash first
 * writes that file, and a worker that finds it at start-up fails (so the crashed worker cannot be replaced).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort;
if (!port) throw new Error('must run in a worker');
const data = (workerData ?? {}) as { failInit?: boolean; poisonFile?: string };

if (data.failInit || (data.poisonFile && existsSync(data.poisonFile))) {
  port.postMessage({ type: 'init-failed', error: { name: 'Error', message: 'weights file is corrupt' } });
} else {
  port.on('message', ({ id, request }: { id: number; request: { kind: string; value?: unknown } }) => {
    switch (request.kind) {
      case 'echo':
        port.postMessage({ type: 'result', id, result: request.value });
        break;
      case 'fail':
        port.postMessage({
          type: 'error',
          id,
          error: { name: 'RangeError', message: 'index 12 out of range' },
        });
        break;
      case 'crash':
        if (data.poisonFile) writeFileSync(data.poisonFile, 'crashed');
        setTimeout(() => {
          throw new Error('native code fell over');
        }, 1);
        break;
      case 'exit':
        process.exit(7);
        break;
      case 'hang':
        break;
      case 'spin':
        for (;;) {
          // busy: nothing but terminating the thread stops this
        }
    }
  });
  port.postMessage({ type: 'ready', info: { pid: process.pid } });
}
