/**
 * What a `repository` event means for the indexes: a deleted repository takes every index it has along (its
 * default branch's and each indexed branch's), through remove jobs fenced like every job; other actions
 * change nothing that is indexed (an archived repository receives no pushes; renames and transfers are left
 * for the index to follow, and until then the old name's index stays searchable under the old grant).
 */
import { canonicalRepoName, indexNameOf } from '../search/filters.ts';
import type { RemoveJob } from './jobs.ts';

export interface RepositoryEvent {
  readonly action: string;
  readonly repository: {
    readonly full_name: string;
    /** Absent where the sender does not know it (an App's uninstallation lists names only). */
    readonly default_branch?: string;
    /** ISO times as repository events give them. */
    readonly pushed_at?: string | number | null;
    readonly updated_at?: string | null;
  };
}

export type RepositoryDecision =
  | { readonly kind: 'ignore'; readonly reason: string }
  | { readonly kind: 'jobs'; readonly jobs: readonly RemoveJob[] };

export function decideRepositoryEvent(
  event: RepositoryEvent,
  options: { readonly deliveryId: string; readonly branches: readonly string[]; readonly now: number },
): RepositoryDecision {
  const repository = event.repository;
  if (event.action !== 'deleted')
    return { kind: 'ignore', reason: `repository ${event.action}: nothing to index` };
  const repo = canonicalRepoName(repository.full_name);
  // Newer than every push the repository saw (a push job's seq is its `pushed_at`): the time the deletion
  // arrived, or its own times if a clock runs behind. A repository created again later pushes later still.
  const seq = Math.max(timeOf(repository.pushed_at) + 1, timeOf(repository.updated_at) + 1, options.now);
  const branches = [undefined, ...options.branches.filter((branch) => branch !== repository.default_branch)];
  return {
    kind: 'jobs',
    jobs: branches.map((branch) => ({
      kind: 'remove',
      repo,
      index: indexNameOf(repo, branch),
      ...((branch ?? repository.default_branch) ? { branch: branch ?? repository.default_branch } : {}),
      seq,
      reason: 'repository deleted',
      deliveryId: options.deliveryId,
    })),
  };
}

/** Epoch ms of an ISO time or epoch seconds; 0 when absent or unreadable. */
function timeOf(value: string | number | null | undefined): number {
  if (typeof value === 'number') return Number.isSafeInteger(value * 1000) ? value * 1000 : 0;
  const parsed = value ? Date.parse(value) : Number.NaN;
  return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : 0;
}
