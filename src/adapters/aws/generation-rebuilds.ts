/**
 * Rebuilds after a model change, queued by the scheduled upkeep. A new index generation (see
 * generation-keys.ts) starts with an empty chunk table and no state; this queues one sync job for every index
 * that should be searchable but has no commit in it yet and is not under way — which ones, the engine decides
 * from the states (`planRebuilds`, #engine/pipeline/rebuild-plan.ts); this reads them and queues.
 *
 * Idempotent across upkeep runs: an index with a claim in this generation is under way, and a conditional
 * rebuild marker covers the time its job waits on the queue before claiming. A marker older than
 * `retryAfterMs` with still no claim means the job was lost (dead-lettered before it started, e.g. while the
 * GitHub token was missing), and the rebuild is queued again.
 */

import type { JobQueue } from '#engine/pipeline/ports.ts';
import { planRebuilds } from '#engine/pipeline/rebuild-plan.ts';
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

/** Queues a sync for every index missing from the current generation that is not under way already. */
export async function queueMissingIndexes(deps: RebuildDeps): Promise<RebuildReport> {
  const now = deps.now ?? Date.now;
  const [current, others, registered] = await Promise.all([
    deps.state.list(),
    deps.state.listOtherGenerations(),
    deps.registry.list(),
  ]);
  const plan = planRebuilds({ current, others, registered, seq: now() });
  const queued: string[] = [];
  const underWay = [...plan.running];
  for (const job of plan.wanted) {
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
