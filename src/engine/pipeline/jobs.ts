/**
 * The messages of push-driven indexing. Every job names the index it writes (`index`: the repository name the
 * chunks are stored and searched under), the source repository it reads (`repo`, `owner/name` on the code
 * host) and an ordering key `seq`: jobs for one index are applied newest-wins by `seq`, so an older push that
 * is delivered late never overwrites a newer one.
 *
 * - `push`: the changed paths of one push, applied directly when the index is exactly at `before`.
 * - `sync`: make the index equal to the tree of `commit` (or of the branch head): list the tree, compare blob
 *   ids with the file-hash table, and fan the differences out as `files` jobs. Without a `branch` (an
 *   operator's first index of a registered repository) it follows the repository's default branch, looked up
 *   on the code host when the job runs.
 * - `files`: one batch of a sync: fetch these blobs, chunk, embed, commit, record.
 *
 * Jobs are JSON on a queue. Producers and consumers share the schemas below: every producer validates a job
 * (and measures it) before it is sent (the queue adapter refuses anything else), and the worker validates it
 * on the way in, so a malformed message is refused where it is made, never after a round trip. What comes
 * from outside (a webhook's paths, a tree listing's) is filtered through the same rules first (`pathProblem`):
 * a path no job may carry is skipped with its reason, and never fails the batch around it.
 */
import { z } from 'zod';
import { canonicalRepoName } from '../search/filters.ts';

/**
 * The most a job may weigh as JSON. SQS takes up to 1 MiB per message (256 KiB before 2026); staying under the
 * older limit keeps every message valid on either, and leaves room for several in one batch request.
 */
export const MAX_JOB_BYTES = 240 * 1024;
/** Longest path a job carries. Git has no limit; no file system we index under allows more than 4096. */
export const MAX_JOB_PATH_CHARS = 4096;

const Sha = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-hex-digit git object id');
/** GitHub's limits: owners of up to 39 characters, repositories of up to 100; a little room beyond. */
export const RepoName = z.string().regex(/^[\w.-]{1,100}\/[\w.-]{1,100}$/, 'owner/name');

/** Why `path` cannot be carried by a job (and so cannot be indexed), or undefined if it can. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'empty path';
  if (path.length > MAX_JOB_PATH_CHARS)
    return `path of ${path.length} characters (at most ${MAX_JOB_PATH_CHARS})`;
  if (path.startsWith('/') || path.split('/').includes('..'))
    return 'not a relative path inside the repository';
  if (path.includes('\u0000')) return 'path holds a NUL character';
  return undefined;
}

const RepoPath = z.string().superRefine((path, context) => {
  const problem = pathProblem(path);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

const JobBase = z.object({
  /**
   * Source repository on the code host, `owner/name`. Read in any case and passed on in the canonical
   * (lower-case) one, as every name is stored and compared (`canonicalRepoName`); GitHub's API takes any.
   */
  repo: RepoName.transform(canonicalRepoName),
  /** The index (repository name in the chunk table) this job writes: canonical too (a branch keeps its case). */
  index: z.string().min(1).max(512).transform(canonicalRepoName),
  branch: z.string().min(1).max(255),
  /** Newest wins: GitHub's `pushed_at` in ms for pushes, the request time for manual re-indexing. */
  seq: z.number().int().nonnegative(),
});

export const PushJobSchema = JobBase.extend({
  kind: z.literal('push'),
  before: Sha,
  after: Sha,
  /** Paths added or modified by the push (net, in commit order). */
  upserted: z.array(RepoPath),
  /** Paths removed by the push (net). A rename is a removal plus an addition. */
  removed: z.array(RepoPath),
  deliveryId: z.string().max(100).optional(),
});

export const SyncJobSchema = JobBase.extend({
  kind: z.literal('sync'),
  /** Absent means "the default branch, looked up when the job runs" (the index is then the repository's). */
  branch: z.string().min(1).max(255).optional(),
  /** The commit to index; absent means "the branch head, resolved when the job runs". */
  commit: Sha.optional(),
  /** Why a full comparison was asked for (created branch, forced push, truncated payload, operator). */
  reason: z.string().max(200),
  deliveryId: z.string().max(100).optional(),
});

export const FilesJobSchema = JobBase.extend({
  kind: z.literal('files'),
  commit: Sha,
  /** The planning run this batch belongs to; completion is counted per sync. */
  syncId: z.string().min(1).max(100),
  batch: z.number().int().nonnegative(),
  batches: z.number().int().positive(),
  files: z.array(z.object({ path: RepoPath, sha: Sha })),
  deletedPaths: z.array(RepoPath),
});

/**
 * A branch index taken out: its chunks, file hashes and listing go (the branch was deleted). Fenced like any
 * job: a newer push, which recreates the branch, supersedes it.
 */
export const RemoveJobSchema = JobBase.extend({
  kind: z.literal('remove'),
  /** Absent when the sender does not know it (an App uninstalled): the index's recorded branch is used. */
  branch: z.string().min(1).max(255).optional(),
  reason: z.string().max(200),
  deliveryId: z.string().max(100).optional(),
});

export const JobSchema = z.discriminatedUnion('kind', [
  PushJobSchema,
  SyncJobSchema,
  FilesJobSchema,
  RemoveJobSchema,
]);

export type PushJob = z.infer<typeof PushJobSchema>;
export type SyncJob = z.infer<typeof SyncJobSchema>;
export type FilesJob = z.infer<typeof FilesJobSchema>;
export type RemoveJob = z.infer<typeof RemoveJobSchema>;
export type Job = z.infer<typeof JobSchema>;

/** A job's size on the queue: its JSON, in bytes. */
export function jobBytes(job: Job): number {
  return Buffer.byteLength(JSON.stringify(job));
}

/** A short label for logs: kind, index and commit. */
export function describeJob(job: Job): string {
  switch (job.kind) {
    case 'push':
      return `push ${job.index} ${job.before.slice(0, 7)}..${job.after.slice(0, 7)} (${job.upserted.length} changed, ${job.removed.length} removed)`;
    case 'sync':
      return `sync ${job.index} @${job.commit?.slice(0, 7) ?? job.branch ?? 'default branch'} (${job.reason})`;
    case 'files':
      return `files ${job.index} @${job.commit.slice(0, 7)} batch ${job.batch + 1}/${job.batches}`;
    case 'remove':
      return `remove ${job.index} (${job.reason})`;
  }
}
