/**
 * The search API's view of push-driven indexing (its `RepoCatalog` and `Reindexer` ports) over the index-state
 * table and the job queue: which commit each repository serves, whether a newer push is being applied, the
 * last failures; and "re-index this repository" as a sync job of its branch head.
 */
import { ConflictError } from '#api/errors.ts';
import type { Reindexer, RepoCatalog, RepoRecord, RepoStatus } from '#api/ports.ts';
import { NotFoundError } from '#engine/errors.ts';
import type { IndexState, JobQueue } from '#engine/pipeline/ports.ts';
import type { DynamoIndexStateStore } from './dynamo-index-state.ts';

export class IndexStateCatalog implements RepoCatalog, Reindexer {
  readonly #state: DynamoIndexStateStore;
  readonly #queue: JobQueue;
  readonly #now: () => number;

  constructor(state: DynamoIndexStateStore, queue: JobQueue, options: { now?: () => number } = {}) {
    this.#state = state;
    this.#queue = queue;
    this.#now = options.now ?? Date.now;
  }

  async listRepos(): Promise<RepoRecord[]> {
    return (await this.#state.list()).map(toRecord);
  }

  async reindex(index: string): Promise<void> {
    const state = await this.#state.get(index);
    if (!state) throw new NotFoundError(`repository ${index} is not indexed`);
    if (!state.repo || !state.branch)
      throw new ConflictError(`repository ${index} has no source recorded yet; push to it first`);
    // Ordered after every push so far: the sync resolves the branch head when it runs.
    await this.#queue.send([
      {
        kind: 'sync',
        repo: state.repo,
        index,
        branch: state.branch,
        seq: this.#now(),
        reason: 're-index requested',
      },
    ]);
  }
}

function toRecord(state: IndexState): RepoRecord {
  return {
    repo: state.index,
    commit: state.commit ?? null,
    indexedAt: state.indexedAt ?? null,
    files: state.files ?? null,
    status: statusOf(state),
    errors: state.errors,
  };
}

function statusOf(state: IndexState): RepoStatus {
  // Errors carry their ISO time first; a failure after the last publication means the index is behind.
  const lastError = state.errors[0]?.slice(0, 24);
  if (lastError && (!state.indexedAt || lastError > state.indexedAt)) return 'failed';
  if (state.target && state.target.seq > (state.seq ?? -1)) return 'indexing';
  return 'ready';
}
