/**
 * Rebuilds after a model change, queued by the scheduled upkeep. A new index generation (see
 * generation-keys.ts) starts with an empty chunk table and no state; this queues one sync job for every index
 * that should be searchable but has no commit in it yet and is not under way:
 *
 * - every index another generation (or an item from before generations) had published — with its repository,
 *   branch and spelling as recorded there, so branch indexes and repositories of allowed owners come back too;
 * - every registered repository's default-branch index, as a first index (the worker looks up the default
 *   branch and GitHub's spelling, as for `POST /repos/{repo}/reindex`).
 *
 * Idempotent across upkeep runs: an index with a claim in this generation is under way, and a conditional
 * rebuild marker covers the time its job waits on the queue before claiming. A marker older than
 * `retryAfterMs` with still no claim means the job was lost (dead-lettered before it started, e.g. while the
 * GitHub token was missing), and the rebuild is queued again.
 */

import type { SyncJob } from '#engine/pipeline/jobs.ts';
import type { JobQueue } from '#engine/pipeline/ports.ts';
import { isRemoved } from '#engine/pipeline/remove-job.ts';
import { canonicalRepoName } from '#engine/search/filters.ts';
import type { DynamoIndexStateStore } from './dynamo-index-state.ts';
import type { DynamoRepoRegistry } from './dynamo-repo-registry.ts';

export interface RebuildDeps {
  readonly state: DynamoIndexStateStore;
  readonly registry: Pick<DynamoRepoRegistry, 'list'>;
  readonly queue: JobQueue;
  readonly now?: () => number;
  /**
   * How long a queued rebuild that never claimed its index blocks another. Longer than a job plausibly waits
   * on a busy queue (a second sync would only supersede the first, but wastes its work).
   * @default 6 hours
   */
  readonly retryAfterMs?: number;
}

export interface RebuildReport {
  /** Indexes whose rebuild this run queued. */
  readonly queued: readonly string[];
  /** Indexes without a commit in this generation whose rebuild was already queued or is running. */
  readonly underWay: readonly string[];
}

const REASON = 'not indexed in this index generation yet (model changed, or never indexed)';

/** Queues a sync for every index missing from the current generation that is not under way already. */
export async function queueMissingIndexes(deps: RebuildDeps): Promise<RebuildReport> {
  const now = deps.now ?? Date.now;
  const [current, others, registered] = await Promise.all([
    deps.state.list(),
    deps.state.listOtherGenerations(),
    deps.registry.list(),
  ]);
  // Compared canonically: another generation (before December 2026) may spell names as GitHub does.
  const published = new Set(current.filter((state) => state.commit).map((state) => lower(state.index)));
  // Claimed but not yet published: a rebuild (or first index) is running.
  const running = current.filter((state) => !state.commit && state.target).map((state) => state.index);
  const claimed = new Set(running.map(lower));
  const wanted = new Map<string, SyncJob>();
  const seq = now();
  for (const state of others) {
    // A removed index (its branch was deleted) is not rebuilt: its tombstone is all that is left of it.
    if (!state.commit || isRemoved(state) || !state.repo || !state.branch || wanted.has(lower(state.index)))
      continue;
    wanted.set(lower(state.index), {
      kind: 'sync',
      repo: canonicalRepoName(state.repo),
      index: canonicalRepoName(state.index),
      branch: state.branch,
      seq,
      reason: REASON,
    });
  }
  for (const { repo } of registered) {
    if (!wanted.has(lower(repo)))
      wanted.set(lower(repo), {
        kind: 'sync',
        repo: canonicalRepoName(repo),
        index: canonicalRepoName(repo),
        seq,
        reason: REASON,
      });
  }

  const queued: string[] = [];
  const underWay = [...running];
  for (const [key, job] of wanted) {
    if (published.has(key) || claimed.has(key)) continue;
    // Marker first: a crash before the send delays this rebuild by `retryAfterMs`, never doubles it.
    if (await deps.state.requestRebuild(job.index, { retryAfterMs: deps.retryAfterMs ?? 6 * 3600_000 })) {
      await deps.queue.send([job]);
      queued.push(job.index);
    } else {
      underWay.push(job.index);
    }
  }
  return { queued: queued.sort(), underWay: underWay.sort() };
}

function lower(index: string): string {
  return canonicalRepoName(index);
}
