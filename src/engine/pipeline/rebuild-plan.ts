/**
 * Which indexes a new index generation (after a model change) still has to build, decided from state alone —
 * the upkeep adapter (`#adapters/aws/generation-rebuilds.ts`) reads the states and queues the jobs:
 *
 * - every index another generation (or an item from before generations) had published, with its repository,
 *   branch and spelling as recorded there, so branch indexes and repositories of allowed owners come back
 *   too — but not a removed one (its branch was deleted: its tombstone is all that is left of it);
 * - every registered repository's default-branch index, as a first index (the worker looks up the default
 *   branch and GitHub's spelling, as for `POST /repos/{repo}/reindex`);
 *
 * minus those published in this generation already, or claimed here (a rebuild is running).
 */
import { canonicalRepoName } from '../search/filters.ts';
import type { SyncJob } from './jobs.ts';
import type { IndexState } from './ports.ts';
import { isRemoved } from './remove-job.ts';

export const REBUILD_REASON = 'not indexed in this index generation yet (model changed, or never indexed)';

export interface RebuildPlan {
  /** One sync per index still to build, to queue unless a recent rebuild marker says it is queued. */
  readonly wanted: readonly SyncJob[];
  /** Indexes claimed in this generation without a commit yet: their rebuild (or first index) is running. */
  readonly running: readonly string[];
}

export function planRebuilds(input: {
  readonly current: readonly IndexState[];
  readonly others: readonly IndexState[];
  readonly registered: readonly { readonly repo: string }[];
  readonly seq: number;
}): RebuildPlan {
  // Compared canonically: another generation (before December 2026) may spell names as GitHub does.
  const key = canonicalRepoName;
  const published = new Set(input.current.filter((state) => state.commit).map((state) => key(state.index)));
  const running = input.current.filter((state) => !state.commit && state.target).map((state) => state.index);
  const claimed = new Set(running.map(key));
  const wanted = new Map<string, SyncJob>();
  for (const state of input.others) {
    if (!state.commit || isRemoved(state) || !state.repo || !state.branch || wanted.has(key(state.index)))
      continue;
    wanted.set(key(state.index), {
      kind: 'sync',
      repo: canonicalRepoName(state.repo),
      index: canonicalRepoName(state.index),
      branch: state.branch,
      seq: input.seq,
      reason: REBUILD_REASON,
    });
  }
  for (const { repo } of input.registered) {
    if (!wanted.has(key(repo)))
      wanted.set(key(repo), {
        kind: 'sync',
        repo: canonicalRepoName(repo),
        index: canonicalRepoName(repo),
        seq: input.seq,
        reason: REBUILD_REASON,
      });
  }
  return {
    wanted: [...wanted]
      .filter(([index]) => !published.has(index) && !claimed.has(index))
      .map(([, job]) => job),
    running,
  };
}
