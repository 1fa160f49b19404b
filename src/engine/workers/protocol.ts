/**
 * The message protocol between a WorkerPool (main thread) and its workers, whatever work they do: one
 * `ready` (or `init-failed`) after start-up, then one `result` or `error` per task.
 */

/** Serialisable error: Error objects lose their class when they cross a thread boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

export type WorkerReply<Info = unknown> =
  | { readonly type: 'ready'; readonly info: Info }
  | { readonly type: 'init-failed'; readonly error: WireError }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError };

export interface WorkerTask<Request> {
  readonly id: number;
  readonly request: Request;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
