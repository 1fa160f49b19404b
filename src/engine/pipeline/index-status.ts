/** How an index stands, for `GET /repos`: derived from its state alone, wherever that state is kept. */
import type { RepoStatus } from '../repo-catalog.ts';
import type { IndexState } from './ports.ts';

/**
 * `failed` when the newest permanent failure came after the last publication (the index is behind),
 * `indexing` while a newer job than the published one holds the index, else `ready`.
 */
export function indexStatus(state: IndexState): RepoStatus {
  // Errors carry their ISO time first.
  const lastError = state.errors[0]?.slice(0, 24);
  if (lastError && (!state.indexedAt || lastError > state.indexedAt)) return 'failed';
  if (state.target && state.target.seq > (state.seq ?? -1)) return 'indexing';
  return 'ready';
}
