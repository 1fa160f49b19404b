/**
 * What a push to a branch means for its index: an indexing job, or a reason to ignore it. The adapter parses
 * GitHub's payload (`#adapters/github/push-event.ts`); the decision is the engine's.
 *
 * A push lists, per commit, the paths it added, modified and removed; folded in commit order they give the
 * net change, and a push job applies exactly that. The list cannot be trusted to be complete when the branch
 * was just created (no `before` to diff against), the push was forced (commits were dropped, their changes are
 * not listed), or the payload carries as many commits as GitHub may truncate to (20): those pushes become a
 * sync of `after`, which compares the whole tree with the index by blob id.
 */
import { canonicalRepoName, indexNameOf } from '../search/filters.ts';
import { jobBytes, MAX_JOB_BYTES, type PushJob, pathProblem, type RemoveJob, type SyncJob } from './jobs.ts';

/** A deleted branch's `after`, or a new one's `before`. */
export const NULL_SHA = '0000000000000000000000000000000000000000';

/** A push as the decision reads it (GitHub's payload, parsed). */
export interface PushEvent {
  readonly ref: string;
  readonly before: string;
  readonly after: string;
  readonly created: boolean;
  readonly deleted: boolean;
  readonly forced: boolean;
  readonly commits: readonly {
    readonly added?: readonly string[];
    readonly removed?: readonly string[];
    readonly modified?: readonly string[];
  }[];
  readonly repository: {
    readonly full_name: string;
    readonly default_branch: string;
    /** Epoch seconds in push payloads (an ISO string in other events). */
    readonly pushed_at?: number | string;
  };
}

export interface PushOptions {
  readonly deliveryId: string;
  /** Branches indexed besides the default branch. */
  readonly extraBranches?: readonly string[];
  /** A payload with this many commits may be truncated. @default 20 */
  readonly untrustedCommitCount?: number;
  /**
   * Pushes changing more paths than this become a sync: the job stays far below SQS's message size, and a
   * change that large is better fanned out anyway. @default 1000
   */
  readonly maxListedPaths?: number;
  /** Fallback ordering key when the payload has no `pushed_at`. */
  readonly now?: () => number;
}

/** A path of the push that no job may carry (too long, `..`), left out with the reason. */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

export type PushDecision =
  | { readonly kind: 'ignore'; readonly reason: string }
  | {
      readonly kind: 'job';
      readonly job: PushJob | SyncJob | RemoveJob;
      readonly skipped: readonly SkippedPath[];
    };

export function decidePush(payload: PushEvent, options: PushOptions): PushDecision {
  if (!payload.ref.startsWith('refs/heads/'))
    return { kind: 'ignore', reason: `${payload.ref} is not a branch` };
  const branch = payload.ref.slice('refs/heads/'.length);
  const repository = payload.repository;
  const indexed = new Set([repository.default_branch, ...(options.extraBranches ?? [])]);
  if (!indexed.has(branch)) return { kind: 'ignore', reason: `branch ${branch} is not indexed` };
  const base = {
    repo: canonicalRepoName(repository.full_name),
    // The default branch's index is the repository's own; another branch's is `name@branch`.
    index: indexNameOf(repository.full_name, branch === repository.default_branch ? undefined : branch),
    branch,
    seq: orderingKey(repository.pushed_at, options.now ?? Date.now),
    deliveryId: options.deliveryId,
  };
  if (payload.deleted || payload.after === NULL_SHA) {
    // GitHub never deletes a default branch (it must be switched first); another one takes its index along.
    if (branch === repository.default_branch)
      return { kind: 'ignore', reason: `branch ${branch} was deleted` };
    return {
      kind: 'job',
      job: { ...base, kind: 'remove', reason: `branch ${branch} was deleted` },
      skipped: [],
    };
  }
  const sync = (reason: string): PushDecision => ({
    kind: 'job',
    job: { ...base, kind: 'sync', commit: payload.after, reason },
    skipped: [],
  });
  const untrusted = untrustedReason(payload, options.untrustedCommitCount ?? 20);
  if (untrusted) return sync(untrusted);
  const changes = netChanges(payload.commits);
  if (changes.upserted.length + changes.removed.length > (options.maxListedPaths ?? 1000))
    return sync(`${changes.upserted.length + changes.removed.length} paths changed`);
  // A path no job may carry cannot be indexed: an added one is skipped with its reason, and a removed one
  // never had chunks. (A sync of the same tree skips it the same way.)
  const skipped: SkippedPath[] = [];
  const keep = (path: string): boolean => {
    const problem = pathProblem(path);
    if (problem) skipped.push({ path, reason: problem });
    return problem === undefined;
  };
  const upserted = changes.upserted.filter(keep);
  const removed = changes.removed.filter((path) => pathProblem(path) === undefined);
  const job: PushJob = {
    ...base,
    kind: 'push',
    before: payload.before,
    after: payload.after,
    upserted,
    removed,
  };
  // Many long paths can weigh more than a queue message may: a sync of `after` carries none of them.
  if (jobBytes(job) > MAX_JOB_BYTES)
    return sync(`${upserted.length + removed.length} paths too many for one job`);
  return { kind: 'job', job, skipped };
}

function untrustedReason(payload: PushEvent, untrustedCommitCount: number): string | undefined {
  if (payload.created || payload.before === NULL_SHA) return 'branch created';
  if (payload.forced) return 'forced push';
  if (payload.commits.length >= untrustedCommitCount)
    return `${payload.commits.length} commits (the payload may be truncated)`;
  if (payload.commits.length === 0) return 'no commits listed';
  if (payload.commits.some((commit) => !commit.added || !commit.removed || !commit.modified))
    return 'commits without file lists';
  return undefined;
}

/** Folds the commits' path lists in order into the net result: what exists after the push, what not. */
export function netChanges(commits: PushEvent['commits']): { upserted: string[]; removed: string[] } {
  const last = new Map<string, 'upsert' | 'remove'>();
  for (const commit of commits) {
    for (const path of commit.removed ?? []) last.set(path, 'remove');
    for (const path of [...(commit.added ?? []), ...(commit.modified ?? [])]) last.set(path, 'upsert');
  }
  const upserted = [...last].filter(([, change]) => change === 'upsert').map(([path]) => path);
  const removed = [...last].filter(([, change]) => change === 'remove').map(([path]) => path);
  return { upserted: upserted.sort(), removed: removed.sort() };
}

/**
 * A time as GitHub's payloads give it, in ms: epoch seconds (`pushed_at` in push events) or an ISO string
 * (other events); undefined when absent, unreadable or before 1970.
 */
export function githubTime(value: number | string | null | undefined): number | undefined {
  const ms = typeof value === 'number' ? value * 1000 : value ? Date.parse(value) : Number.NaN;
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined;
}

/** GitHub's push time in ms: later pushes to a branch have later `pushed_at`. */
function orderingKey(pushedAt: number | string | undefined, now: () => number): number {
  // A time that cannot order a push is replaced by the time it arrived.
  return githubTime(pushedAt) ?? now();
}
