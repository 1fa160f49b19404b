/**
 * A full comparison of one commit's tree with the index: list the tree through the code host (one request for
 * most repositories), compare every blob id with the file-hash table, and turn the differences into batches.
 * Unchanged files are neither downloaded nor embedded. Small differences run right here as a single batch;
 * larger ones fan out as `files` jobs so that many workers share a large (re)index.
 *
 * `.codesearchignore` files are read first (one request each) and ignored paths are left out of the plan
 * before anything is downloaded; files on record that are now ignored are deleted like removed files.
 */
import { randomUUID } from 'node:crypto';
import { canonicalRepoName } from '../search/filters.ts';
import type { FileRecord } from '../types.ts';
import { waitForOlderWriters } from './commit-files.ts';
import { runFilesJob } from './files-job.ts';
import { EMPTY_OUTCOME, type JobOutcome } from './job-outcome.ts';
import { type FilesJob, MAX_JOB_BYTES, pathProblem, type SyncJob } from './jobs.ts';
import { excludedDirectoryOf, skipTreeFile } from './path-rules.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { TreeFile } from './ports.ts';
import { readTreeIgnore, type TreeIgnore } from './read-ignore-files.ts';
import { TreeIgnoreRules } from './tree-ignore-rules.ts';

const NO_IGNORE: TreeIgnore = { rules: TreeIgnoreRules.NONE, files: [] };

export interface SyncPlan {
  readonly toFetch: readonly { path: string; sha: string }[];
  readonly toDelete: readonly string[];
  /** Tree files that pass the path and ignore rules: the index's file count once the sync is done. */
  readonly indexable: number;
  /** Tree files left out by `.codesearchignore` (outside built-in excluded directories, as locally). */
  readonly ignored: number;
  /** Tree files whose path no job may carry (over 4,096 characters, say): never queued, with the reason. */
  readonly unindexable: readonly { readonly path: string; readonly reason: string }[];
}

/** The pure part: what must be downloaded and what deleted to make the index equal the tree. */
export function planSync(
  tree: readonly TreeFile[],
  recorded: ReadonlyMap<string, FileRecord>,
  maxFileBytes: number,
  ignore: TreeIgnore = NO_IGNORE,
): SyncPlan {
  // The ignore files in force stay on record even when they ignore themselves: the file-hash table is how a
  // later push learns which of them exist (see push-job.ts). They have no chunks either way.
  const ruleFiles = new Set(ignore.files.map((file) => file.path));
  let ignored = 0;
  const unindexable: { path: string; reason: string }[] = [];
  const wanted = tree.filter((file) => {
    const problem = pathProblem(file.path);
    if (problem !== undefined) {
      // One such path must not fail the batch it would land in, and with it the whole sync, every time.
      if (file.kind === 'file') unindexable.push({ path: file.path, reason: problem });
      return false;
    }
    if (ruleFiles.has(file.path)) return true;
    if (excludedDirectoryOf(file.path) !== undefined) return false; // never walked, so never "ignored"
    if (ignore.rules.isIgnored(file.path)) {
      ignored++;
      return false;
    }
    return skipTreeFile(file, maxFileBytes) === undefined;
  });
  const wantedPaths = new Set(wanted.map((file) => file.path));
  return {
    toFetch: wanted
      .filter((file) => recorded.get(file.path)?.hash !== file.sha)
      .map(({ path, sha }) => ({ path, sha })),
    toDelete: [...recorded.keys()].filter((path) => !wantedPaths.has(path)).sort(),
    indexable: wanted.length,
    ignored,
    unindexable,
  };
}

/**
 * What a batch's paths may weigh in its `files` job: the rest of `MAX_JOB_BYTES` is room for the job's other
 * fields (names, commit, ids: well under 2 KiB) and JSON's quoting.
 */
const MAX_BATCH_PATH_BYTES = MAX_JOB_BYTES - 8 * 1024;

/**
 * Splits a plan into batches of at most `size` paths (downloads and deletions together), each small enough
 * for one queue message: a batch also closes when its paths would outweigh `MAX_BATCH_PATH_BYTES`.
 */
export function batchPlan(
  plan: SyncPlan,
  size: number,
): { files: { path: string; sha: string }[]; deletedPaths: string[] }[] {
  const batches: { files: { path: string; sha: string }[]; deletedPaths: string[] }[] = [];
  let current = { files: [] as { path: string; sha: string }[], deletedPaths: [] as string[] };
  let bytes = 0;
  const add = (itemBytes: number, push: () => void): void => {
    const count = current.files.length + current.deletedPaths.length;
    if (count > 0 && (count >= size || bytes + itemBytes > MAX_BATCH_PATH_BYTES)) {
      batches.push(current);
      current = { files: [], deletedPaths: [] };
      bytes = 0;
    }
    push();
    bytes += itemBytes;
  };
  for (const file of plan.toFetch) add(jsonBytes(file.path) + 60, () => current.files.push(file));
  for (const path of plan.toDelete) add(jsonBytes(path) + 2, () => current.deletedPaths.push(path));
  if (current.files.length + current.deletedPaths.length > 0) batches.push(current);
  return batches;
}

/** A string's size as JSON (escapes included). */
function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value));
}

export async function runSyncJob(deps: PipelineDeps, requested: SyncJob): Promise<JobOutcome> {
  const job = await withBranch(deps, requested);
  const commit = job.commit ?? (await deps.source.resolveCommit(job.repo, job.branch));
  const claim = await deps.state.claim(job.index, {
    repo: job.repo,
    branch: job.branch,
    seq: job.seq,
    commit,
  });
  if (claim === 'superseded') return { ...EMPTY_OUTCOME, status: 'superseded' };
  await waitForOlderWriters(deps, job.index, job.seq);
  const state = await deps.state.get(job.index);
  // This very job was applied already (a redelivery, a replayed webhook): nothing to list or fetch.
  if (state?.seq === job.seq && state.commit === commit) return { ...EMPTY_OUTCOME, commit };
  // A redelivered planner whose first delivery already queued every batch: those batches finish the sync.
  const planned = state?.sync;
  if (planned?.seq === job.seq && planned.commit === commit && planned.queued)
    return { ...EMPTY_OUTCOME, commit };

  const [{ tree, ignore }, recorded] = await Promise.all([
    deps.source.listTree(job.repo, commit).then(async (tree) => ({
      tree,
      ignore: await readTreeIgnore(deps, job.repo, tree),
    })),
    deps.fileHashes.listFiles(job.index),
  ]);
  const plan = planSync(tree, recorded, deps.settings.maxFileBytes, ignore);
  const planning = {
    downloads: ignore.files.length,
    filesIgnored: plan.ignored,
    filesSkipped: plan.unindexable.length,
  };
  if (plan.unindexable.length > 0)
    deps.log.warn('paths not indexable', {
      index: job.index,
      count: plan.unindexable.length,
      paths: plan.unindexable
        .slice(0, 10)
        .map(({ path, reason }) => `${path.length > 200 ? `${path.slice(0, 200)}…` : path}: ${reason}`),
    });
  const batches = batchPlan(plan, deps.settings.batchFiles);
  const syncId = (deps.newId ?? randomUUID)();
  const started = await deps.state.startSync(job.index, {
    id: syncId,
    seq: job.seq,
    commit,
    batches: batches.length,
    files: plan.indexable,
  });
  if (!started) return { ...EMPTY_OUTCOME, status: 'superseded' };
  deps.log.info('sync planned', {
    index: job.index,
    commit,
    reason: job.reason,
    treeFiles: tree.length,
    ignoreFiles: ignore.files.length,
    ignored: plan.ignored,
    ...ignoreNoticeFields(ignore.rules),
    toFetch: plan.toFetch.length,
    toDelete: plan.toDelete.length,
    batches: batches.length,
  });

  if (batches.length === 0) {
    const published = await deps.state.publish(job.index, { seq: job.seq, commit });
    return { ...EMPTY_OUTCOME, ...planning, status: published ? 'published' : 'superseded', commit };
  }
  const jobs: FilesJob[] = batches.map((batch, number) => ({
    kind: 'files',
    repo: job.repo,
    index: job.index,
    branch: job.branch,
    seq: job.seq,
    commit,
    syncId,
    batch: number,
    batches: batches.length,
    files: batch.files,
    deletedPaths: batch.deletedPaths,
  }));
  // One batch is done right here: a push that needed a comparison but changed little is searchable without
  // another trip through the queue.
  if (jobs.length === 1) {
    const outcome = await runFilesJob(deps, jobs[0] as FilesJob);
    return {
      ...outcome,
      ...planning,
      downloads: outcome.downloads + planning.downloads,
      filesSkipped: outcome.filesSkipped + planning.filesSkipped,
    };
  }
  await deps.queue.send(jobs);
  await deps.state.markSyncQueued(job.index, { id: syncId, seq: job.seq });
  return { ...EMPTY_OUTCOME, ...planning, status: 'planned', commit, batchesQueued: jobs.length };
}

/**
 * A sync without a branch (an operator's first index of a registered repository) follows the default branch,
 * looked up on the code host; the index is the repository's (canonical) name, as for pushes.
 */
async function withBranch(deps: PipelineDeps, job: SyncJob): Promise<SyncJob & { branch: string }> {
  if (job.branch !== undefined) return { ...job, branch: job.branch };
  const hosted = await deps.source.describeRepo(job.repo);
  return { ...job, repo: canonicalRepoName(hosted.fullName), branch: hosted.defaultBranch };
}

/** Log fields for ignore-file lines that were not applied: how many, and the first few with their reasons. */
export function ignoreNoticeFields(rules: TreeIgnoreRules): Record<string, unknown> {
  const notices = rules.notices;
  if (notices.length === 0) return {};
  return {
    ignoreLinesNotApplied: notices.length,
    ignoreNotices: notices.slice(0, 5).map((notice) => `${notice.path}:${notice.line} ${notice.reason}`),
  };
}
