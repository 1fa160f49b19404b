/**
 * A fixed-size pool of worker threads that each run one task at a time. It owns the failure handling its
 * callers rely on: a task whose worker crashes is rejected (never left pending), the crashed worker is
 * replaced, and close() rejects whatever is still queued.
 */
import { Worker } from 'node:worker_threads';
import { CodeSearchError } from '../errors.ts';
import type { WireError, WorkerReply, WorkerTask } from './protocol.ts';

/** A task failed because of its worker: it crashed, reported an error, or the pool was closed. */
export class WorkerPoolError extends CodeSearchError {}

/** The worker running a task died (crashed or exited): the task may be what killed it. */
export class WorkerCrashError extends WorkerPoolError {}

/** The worker reported that the task failed (it threw): the task's own fault, the worker carries on. */
export class WorkerTaskFailedError extends WorkerPoolError {}

/** A task ran past its time limit: its worker was stopped (and replaced). */
export class WorkerTaskTimeoutError extends WorkerPoolError {}

export interface RunOptions {
  /** Buffers that move to the worker (and become unusable here). */
  readonly transfer?: readonly ArrayBuffer[];
  /**
   * Time the task may run once a worker has it. Past it the worker is terminated (synchronous work inside it
   * cannot be interrupted any other way), replaced, and the task rejects with WorkerTaskTimeoutError.
   */
  readonly timeoutMs?: number;
}

export interface WorkerPoolOptions {
  /** Number of workers. */
  readonly size: number;
  /** The worker script; resolve it with `new URL('./x.ts', import.meta.url)` so it works under node and vitest. */
  readonly workerUrl: URL;
  /** Structured-cloned into every worker as `workerData`. */
  readonly workerData: unknown;
  /** Used in error messages, e.g. "embedding worker". */
  readonly name: string;
  /**
   * The error class task failures are raised as, so callers see their own domain's error.
   * @default WorkerPoolError
   */
  readonly errorClass?: new (
    message: string,
    options?: { cause?: unknown },
  ) => Error;
}

interface PendingTask {
  readonly id: number;
  readonly request: unknown;
  readonly transfer: readonly ArrayBuffer[];
  readonly timeoutMs: number | undefined;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  ready: boolean;
  current: PendingTask | undefined;
  /** Fires when the current task outlasts its time limit. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The last uncaught error the worker reported before exiting, for the crash message. */
  lastError: Error | undefined;
}

/** Raised when a worker cannot start; carries the worker's own message. */
export class WorkerStartError extends Error {}

function describeWireError(error: WireError): string {
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}

export class WorkerPool<Request, Result, Info> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: PendingTask[] = [];
  #nextId = 1;
  #closed = false;
  /** Set when no worker is left and a replacement cannot start: every later task fails with this. */
  #broken: Error | undefined;
  readonly #errorClass: NonNullable<WorkerPoolOptions['errorClass']>;

  private constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#errorClass = options.errorClass ?? WorkerPoolError;
  }

  /**
   * Starts `size` workers and waits until each reports `ready` (returning what each reported).
   * @throws WorkerStartError with the first worker's failure message; all workers are stopped by then.
   */
  static async start<Request, Result, Info>(
    options: WorkerPoolOptions,
  ): Promise<{ pool: WorkerPool<Request, Result, Info>; infos: Info[] }> {
    const pool = new WorkerPool<Request, Result, Info>(options);
    const starts = Array.from({ length: options.size }, (_, index) => pool.#spawn(index));
    const settled = await Promise.allSettled(starts);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason;
    }
    return { pool, infos: settled.map((s) => (s as PromiseFulfilledResult<Info>).value) };
  }

  /** Number of workers. */
  get size(): number {
    return this.#options.size;
  }

  /**
   * Queues a task for the next free worker. Rejects with WorkerPoolError if the worker reports an error,
   * crashes, runs past `timeoutMs`, or the pool is closed.
   */
  run(request: Request, options: RunOptions = {}): Promise<Result> {
    const { transfer = [], timeoutMs } = options;
    if (this.#closed) return Promise.reject(new this.#errorClass(`${this.#options.name} pool is closed`));
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<Result>((resolve, reject) => {
      this.#queue.push({
        id: this.#nextId++,
        request,
        transfer,
        timeoutMs,
        resolve: resolve as (r: unknown) => void,
        reject,
      });
      this.#dispatch();
    });
  }

  /** Stops every worker; queued and running tasks reject. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new this.#errorClass(`${this.#options.name} pool was closed while work was pending`);
    for (const task of this.#queue.splice(0)) task.reject(error);
    for (const slot of this.#slots) {
      clearTimeout(slot.timer);
      slot.current?.reject(error);
      slot.current = undefined;
    }
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  #label(slot: Slot): string {
    return `${this.#options.name} ${slot.index + 1}/${this.#options.size}`;
  }

  /** Creates (or re-creates) the worker in slot `index` and resolves once it is ready. */
  #spawn(index: number): Promise<Info> {
    const worker = new Worker(this.#options.workerUrl, { workerData: this.#options.workerData });
    const slot: Slot = {
      index,
      worker,
      ready: false,
      current: undefined,
      timer: undefined,
      lastError: undefined,
    };
    this.#slots[index] = slot;

    return new Promise<Info>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply<Info>) => {
        switch (reply.type) {
          case 'ready':
            slot.ready = true;
            this.#idle(slot);
            resolve(reply.info as Info);
            this.#dispatch();
            break;
          case 'init-failed':
            reject(new WorkerStartError(describeWireError(reply.error)));
            void worker.terminate();
            break;
          case 'result':
          case 'error':
            this.#settle(slot, reply);
            break;
        }
      });
      worker.on('messageerror', (error) => {
        this.#fail(
          slot,
          new this.#errorClass(`${this.#label(slot)} sent a message that could not be read`, {
            cause: error,
          }),
        );
      });
      worker.on('error', (error) => {
        slot.lastError = error;
      });
      worker.on('exit', (code) => {
        if (this.#closed || this.#slots[index] !== slot) return;
        const detail = slot.lastError ? `: ${slot.lastError.message}` : '';
        if (!slot.ready) {
          // Died while loading: report it as a start failure (start() or the replacement logic handles it).
          reject(
            new WorkerStartError(`${this.#label(slot)} exited with code ${code} while loading${detail}`),
          );
          return;
        }
        const message = `${this.#label(slot)} stopped unexpectedly (exit code ${code})${detail}`;
        this.#fail(
          slot,
          // The caller's error class, with the crash recorded as its cause.
          new this.#errorClass(message, { cause: new WorkerCrashError(message, { cause: slot.lastError }) }),
        );
        this.#replace(index);
      });
    });
  }

  /**
   * Replaces a crashed worker so the pool keeps its size. If the replacement cannot start, the pool carries on
   * with the workers it still has; with none left it is broken and every task fails instead of waiting forever.
   */
  #replace(index: number): void {
    this.#spawn(index).catch((error: Error) => {
      if (this.#closed || this.#slots.some((slot) => slot.ready)) return;
      this.#broken = new this.#errorClass(
        `${this.#options.name} could not be restarted after a crash: ${error.message}`,
        { cause: error },
      );
      for (const task of this.#queue.splice(0)) task.reject(this.#broken);
    });
  }

  #settle(slot: Slot, reply: Extract<WorkerReply<Info>, { type: 'result' | 'error' }>): void {
    const task = slot.current;
    if (!task || task.id !== reply.id) return;
    slot.current = undefined;
    clearTimeout(slot.timer);
    if (reply.type === 'result') task.resolve(reply.result);
    else {
      const message = `${this.#label(slot)} failed: ${describeWireError(reply.error)}`;
      task.reject(new this.#errorClass(message, { cause: new WorkerTaskFailedError(message) }));
    }
    this.#idle(slot);
    this.#dispatch();
  }

  #fail(slot: Slot, error: Error): void {
    const task = slot.current;
    slot.current = undefined;
    clearTimeout(slot.timer);
    slot.ready = false;
    task?.reject(error);
  }

  /** The slot's task ran out of time: stop its worker for good, start another in its place. */
  #timeOut(slot: Slot, task: PendingTask): void {
    if (this.#closed || slot.current !== task || this.#slots[slot.index] !== slot) return;
    this.#fail(
      slot,
      new WorkerTaskTimeoutError(`${this.#label(slot)} did not finish the task within ${task.timeoutMs} ms`),
    );
    this.#replace(slot.index); // first, so that the old worker's exit is not taken for a crash
    void slot.worker.terminate();
  }

  /**
   * Idle workers are unref'd so that an embedder someone forgot to close does not keep the process alive;
   * a worker with a task is ref'd so that awaiting the task does.
   */
  #idle(slot: Slot): void {
    slot.worker.unref();
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot?.ready || slot.current) continue;
      const task = this.#queue.shift();
      if (!task) return;
      slot.current = task;
      if (task.timeoutMs !== undefined)
        slot.timer = setTimeout(() => this.#timeOut(slot, task), task.timeoutMs);
      slot.worker.ref();
      const message: WorkerTask<unknown> = { id: task.id, request: task.request };
      try {
        slot.worker.postMessage(message, [...task.transfer]);
      } catch (error) {
        slot.current = undefined;
        clearTimeout(slot.timer);
        task.reject(
          new this.#errorClass(`could not send work to ${this.#label(slot)}: ${(error as Error).message}`),
        );
        this.#idle(slot);
        queueMicrotask(() => this.#dispatch());
      }
    }
  }
}
