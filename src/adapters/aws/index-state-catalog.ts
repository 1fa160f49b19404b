/**
 * The search API's view of push-driven indexing (its `RepoCatalog` and `Reindexer` ports) over the index-state
 * table and the job queue: which commit each repository serves, whether a newer push is being applied, the
 * last failures; and "re-index this repository" as a sync job of its branch head — or, for a registered
 * repository that has never been indexed, a sync job of its default branch, which the worker looks up on GitHub
 * (so this side needs no GitHub token).
 *
 * After a model change (a new index generation, see generation-keys.ts) an index searchable only in another
 * generation is listed as `indexing` with no commit until upkeep's rebuild publishes it in this one.
 */
import { ConflictError, NotFoundError } from '#engine/errors.ts';
import { indexStatus } from '#engine/pipeline/index-status.ts';
import type { IndexState, JobQueue } from '#engine/pipeline/ports.ts';
import { isRemoved } from '#engine/pipeline/remove-job.ts';
import type {
  Reindexer,
  RepoAdmin,
  RepoCatalog,
  RepoEnrolment,
  RepoRecord,
  RepoRegistry,
} from '#engine/repo-catalog.ts';
import { canonicalRepoName, indexNameOf, splitIndexName } from '#engine/search/filters.ts';
import type { DynamoIndexStateStore } from './dynamo-index-state.ts';

export class IndexStateCatalog implements RepoCatalog, Reindexer, RepoAdmin {
  readonly #state: DynamoIndexStateStore;
  readonly #queue: JobQueue;
  readonly #now: () => number;
  readonly #registry: (RepoRegistry & Partial<RepoEnrolment>) | undefined;
  readonly #allowedOwners: readonly string[];

  /**
   * @param options.registry the repositories the webhook accepts: reindex of one not indexed yet queues its
   *   first index. @default none: only indexed repositories can be re-indexed
   * @param options.allowedOwners owners whose every repository counts as registered. @default none
   */
  constructor(
    state: DynamoIndexStateStore,
    queue: JobQueue,
    options: {
      now?: () => number;
      /** With `put` and `unregister` (the registry's write grant), the admin routes register and remove. */
      registry?: RepoRegistry & Partial<RepoEnrolment>;
      allowedOwners?: readonly string[];
    } = {},
  ) {
    this.#state = state;
    this.#queue = queue;
    this.#now = options.now ?? Date.now;
    this.#registry = options.registry;
    this.#allowedOwners = (options.allowedOwners ?? []).map((owner) => owner.toLowerCase());
  }

  async listRepos(): Promise<RepoRecord[]> {
    const [current, others] = await Promise.all([this.#state.list(), this.#state.listOtherGenerations()]);
    // A removed index (its branch was deleted) is not listed, in this generation or any other.
    const records = current.filter((state) => !isRemoved(state)).map(toRecord);
    const listed = new Set(current.map((state) => canonicalRepoName(state.index)));
    for (const state of others) {
      // Another generation may spell the name as GitHub does (before names were canonical).
      const index = canonicalRepoName(state.index);
      if (state.commit === undefined || isRemoved(state) || listed.has(index)) continue;
      listed.add(index);
      records.push(awaitingRebuild(index));
    }
    return records;
  }

  async reindex(index: string): Promise<void> {
    // An index not rebuilt in this generation yet still has its repository and branch in another one.
    const state =
      (await this.#state.get(index)) ??
      (await this.#state.listOtherGenerations()).find(
        (other) => canonicalRepoName(other.index) === index && other.branch,
      );
    if (state && isRemoved(state)) throw new NotFoundError(`${index} was removed (its branch was deleted)`);
    if (!state?.repo || !state.branch) {
      if (await this.#registered(index)) return this.#firstIndex(index);
      if (!state)
        throw new NotFoundError(
          this.#registry
            ? `repository ${index} is not indexed and not registered: add it to the repositories table first`
            : `repository ${index} is not indexed`,
        );
      throw new ConflictError(`repository ${index} has no source recorded yet; push to it first`);
    }
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

  async register(repo: string, branches: readonly string[]): Promise<void> {
    const put = this.#registry?.put;
    if (!put)
      throw new ConflictError('This deployment has no repository registry to register repositories in');
    // A branch no longer listed stops being indexed, and its index goes.
    const before = (await this.#registry?.lookup(repo))?.branches ?? [];
    const dropped = before.filter((branch) => !branches.includes(branch));
    await put.call(this.#registry, repo, branches);
    const seq = this.#now();
    if (dropped.length > 0)
      await this.#queue.send(
        dropped.map((branch) => ({
          kind: 'remove' as const,
          repo,
          index: indexNameOf(repo, branch),
          branch,
          seq,
          reason: 'branch no longer registered',
        })),
      );
    await this.#firstIndex(repo);
  }

  async remove(repo: string): Promise<readonly string[]> {
    const unregister = this.#registry?.unregister;
    if (!unregister)
      throw new ConflictError('This deployment has no repository registry to remove repositories from');
    const registration = await this.#registry?.lookup(repo);
    const states = (await this.#state.list()).filter(
      (state) => splitIndexName(canonicalRepoName(state.index)).repo === repo && !isRemoved(state),
    );
    if (!registration && states.length === 0)
      throw new NotFoundError(`Repository ${repo} is not registered or indexed`);
    // Every index it has: the ones with state, and those of its registered branches.
    const branches = new Map<string, string | undefined>(
      states.map((state) => [canonicalRepoName(state.index), state.branch]),
    );
    if (!branches.has(repo)) branches.set(repo, undefined);
    for (const branch of registration?.branches ?? [])
      if (!branches.has(indexNameOf(repo, branch))) branches.set(indexNameOf(repo, branch), branch);
    const seq = this.#now();
    const jobs = [...branches].map(([index, branch]) => ({
      kind: 'remove' as const,
      repo,
      index,
      ...(branch ? { branch } : {}),
      seq,
      reason: 'repository removed by an admin',
    }));
    await this.#queue.send(jobs);
    await unregister.call(this.#registry, repo);
    return [...branches.keys()].sort();
  }

  async #registered(repo: string): Promise<boolean> {
    // Only a repository's own index can be started this way, not a branch's (`owner/name@branch`).
    if (!this.#registry || !/^[\w.-]+\/[\w.-]+$/.test(repo)) return false;
    if (this.#allowedOwners.includes(repo.split('/')[0]?.toLowerCase() ?? '')) return true;
    return (await this.#registry.lookup(repo)) !== undefined;
  }

  /** The default branch's index, at its head: the worker looks both up on GitHub when the job runs. */
  async #firstIndex(repo: string): Promise<void> {
    await this.#queue.send([
      { kind: 'sync', repo, index: repo, seq: this.#now(), reason: 'first index requested' },
    ]);
  }
}

function toRecord(state: IndexState): RepoRecord {
  return {
    repo: state.index,
    commit: state.commit ?? null,
    indexedAt: state.indexedAt ?? null,
    files: state.files ?? null,
    status: indexStatus(state),
    errors: state.errors,
  };
}

/** An index searchable in another generation only: its rebuild in this one is queued or running. */
function awaitingRebuild(index: string): RepoRecord {
  return { repo: index, commit: null, indexedAt: null, files: null, status: 'indexing', errors: [] };
}
