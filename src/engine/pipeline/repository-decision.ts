/**
 * What a `repository` event means for the indexes: a deleted repository takes every index it has along (its
 * default branch's and each indexed branch's), through remove jobs fenced like every job. A renamed or
 * transferred one moves: the old name's indexes are removed and the new name is indexed afresh (the
 * embedding cache makes that cheap: the code did not change), so results and grants follow the new name.
 * Other actions change nothing that is indexed (an archived repository receives no pushes).
 */
import { canonicalRepoName, indexNameOf, validateRepoName } from '../search/filters.ts';
import type { RemoveJob, SyncJob } from './jobs.ts';
import { githubTime } from './push-decision.ts';

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
  /** What a rename or transfer changed (GitHub's `changes`). */
  readonly changes?: {
    readonly repository?: { readonly name?: { readonly from?: string } };
    readonly owner?: {
      readonly from?: {
        readonly user?: { readonly login?: string };
        readonly organization?: { readonly login?: string };
      };
    };
  };
}

/** The repository's name before a rename or transfer, when the event says it (and it is a valid name). */
export function previousName(event: RepositoryEvent): string | undefined {
  const [owner, name] = event.repository.full_name.split('/');
  let previous: string | undefined;
  if (event.action === 'renamed') {
    const from = event.changes?.repository?.name?.from;
    previous = from && owner ? `${owner}/${from}` : undefined;
  } else if (event.action === 'transferred') {
    const from = event.changes?.owner?.from;
    const login = from?.user?.login ?? from?.organization?.login;
    previous = login && name ? `${login}/${name}` : undefined;
  }
  if (previous === undefined) return undefined;
  try {
    return validateRepoName(previous);
  } catch {
    return undefined;
  }
}

export type RepositoryDecision =
  | { readonly kind: 'ignore'; readonly reason: string }
  | { readonly kind: 'jobs'; readonly jobs: readonly RemoveJob[] }
  | {
      readonly kind: 'move';
      readonly from: string;
      readonly to: string;
      /** The old name's removals, then the new name's first index. */
      readonly jobs: readonly (RemoveJob | SyncJob)[];
    };

export function decideRepositoryEvent(
  event: RepositoryEvent,
  options: { readonly deliveryId: string; readonly branches: readonly string[]; readonly now: number },
): RepositoryDecision {
  const repository = event.repository;
  const from = previousName(event);
  const to = canonicalRepoName(repository.full_name);
  // A rename that only changes case keeps the name: repository names are compared in lower case.
  if (from !== undefined && from !== to) {
    const removals = removalsOf({ ...event, repository: { ...repository, full_name: from } }, options);
    const seq = (removals[0]?.seq ?? options.now) + 1;
    // The new name's first index, of its default branch and each indexed branch.
    const syncs = [undefined, ...options.branches].map(
      (branch): SyncJob => ({
        kind: 'sync',
        repo: to,
        index: indexNameOf(to, branch),
        ...(branch === undefined ? {} : { branch }),
        seq,
        reason: `${event.action} from ${from}`,
        deliveryId: options.deliveryId,
      }),
    );
    return { kind: 'move', from, to, jobs: [...removals, ...syncs] };
  }
  if (event.action !== 'deleted')
    return { kind: 'ignore', reason: `repository ${event.action}: nothing to index` };
  return { kind: 'jobs', jobs: removalsOf(event, options) };
}

/** Remove jobs for every index of the event's repository: its default branch's and each indexed branch's. */
function removalsOf(
  event: RepositoryEvent,
  options: { readonly deliveryId: string; readonly branches: readonly string[]; readonly now: number },
): RemoveJob[] {
  const repository = event.repository;
  const repo = canonicalRepoName(repository.full_name);
  // Newer than every push the repository saw (a push job's seq is its `pushed_at`): the time the deletion
  // arrived, or its own times if a clock runs behind. A repository created again later pushes later still.
  const seq = Math.max(
    (githubTime(repository.pushed_at) ?? 0) + 1,
    (githubTime(repository.updated_at) ?? 0) + 1,
    options.now,
  );
  const branches = [undefined, ...options.branches.filter((branch) => branch !== repository.default_branch)];
  return branches.map(
    (branch): RemoveJob => ({
      kind: 'remove',
      repo,
      index: indexNameOf(repo, branch),
      ...((branch ?? repository.default_branch) ? { branch: branch ?? repository.default_branch } : {}),
      seq,
      reason: event.action === 'deleted' ? 'repository deleted' : `repository ${event.action}`,
      deliveryId: options.deliveryId,
    }),
  );
}
