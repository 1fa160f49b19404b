/**
 * A push applied directly: when the index is exactly at the push's `before` commit, only the paths the push
 * lists are fetched (one request each), chunked and embedded — a one-file push costs one download and that
 * file's new chunks. In every other case (the index is behind or ahead, a previous push is still being
 * applied, or the push is large) the job becomes a sync of `after`, which compares blob ids and is just as
 * correct, only a little dearer.
 *
 * `.codesearchignore`: a push that adds, changes or removes one can change what is indexed anywhere below it,
 * so it becomes a sync too. Any other push leaves every ignore file as it was at `before`, where the index
 * stands; the rules for its paths then come from the ignore files above them that the file-hash table has on
 * record (a sync keeps every ignore file in force on record, with its blob id). That lookup rides along with
 * the changed paths' own, so a push in a repository without ignore files costs what it did — one request per
 * changed file — and one with them one more request per ignore file above the changed paths (bounded by path
 * depth). Fetching each ancestor directory's ignore file by path instead would need no record but cost a
 * request per directory level on every push, mostly to learn that there is none; keeping the texts in the
 * index state would need a new column in the state table for what the file-hash table already knows.
 */

import type { SourceFile } from '../types.ts';
import { blobToSource } from './blob-to-source.ts';
import { commitFiles, type SkippedBlob, waitForOlderWriters } from './commit-files.ts';
import { EMPTY_OUTCOME, type JobOutcome, outcomeOfCommit } from './job-outcome.ts';
import type { PushJob } from './jobs.ts';
import { mapLimited } from './map-limited.ts';
import { skipByPath } from './path-rules.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { readRecordedIgnore } from './read-ignore-files.ts';
import { runSyncJob } from './sync-job.ts';
import { ancestorIgnoreFiles, isIgnoreFile } from './tree-ignore-rules.ts';

export async function runPushJob(deps: PipelineDeps, job: PushJob): Promise<JobOutcome> {
  const claim = await deps.state.claim(job.index, {
    repo: job.repo,
    branch: job.branch,
    seq: job.seq,
    commit: job.after,
    before: job.before,
  });
  if (claim === 'superseded') return { ...EMPTY_OUTCOME, status: 'superseded' };
  await waitForOlderWriters(deps, job.index, job.seq);

  const state = await deps.state.get(job.index);
  if (state?.commit === job.after) return { ...EMPTY_OUTCOME, commit: job.after }; // redelivered after publishing
  const reason = syncReason(deps, job, state?.commit);
  if (reason !== undefined) return runSyncJob(deps, { ...job, kind: 'sync', commit: job.after, reason });

  // Paths that can never be indexed are not fetched; they cannot have chunks either.
  const candidates = job.upserted.filter((path) => skipByPath(path) === undefined);
  const ignoreFiles = candidates.length === 0 ? [] : ancestorIgnoreFiles(candidates);
  const recorded = await deps.fileLookup.getFiles(job.index, [...candidates, ...ignoreFiles]);
  const ignore = await readRecordedIgnore(deps, job.repo, ignoreFiles, recorded);
  const ignored = candidates.filter((path) => ignore.rules.isIgnored(path));
  const toRead = candidates.filter((path) => !ignore.rules.isIgnored(path));
  const files: SourceFile[] = [];
  const skipped: SkippedBlob[] = [];
  // An ignored path has no chunks unless it was indexed before its ignore rule existed: drop those.
  const deletedPaths = [...job.removed, ...ignored.filter((path) => recorded.has(path))];
  await mapLimited(toRead, deps.settings.downloadConcurrency, async (path) => {
    const hosted = await deps.source.readFile(job.repo, job.after, path);
    if (hosted?.kind !== 'file' || hosted.size > deps.settings.maxFileBytes || !hosted.bytes) {
      deletedPaths.push(path); // gone, or no longer something we index: drop whatever it had
      return;
    }
    if (recorded.get(path)?.hash === hosted.sha) return; // content unchanged (a revert, a redelivery)
    const verdict = blobToSource(path, hosted.sha, hosted.bytes);
    if (verdict.kind === 'source') files.push(verdict.file);
    else skipped.push({ path, sha: hosted.sha, verdict: verdict.verdict });
  });

  const downloads = toRead.length + ignore.reads;
  if (ignored.length > 0) deps.log.info('push paths ignored', { index: job.index, ignored: ignored.length });
  const result = await commitFiles(deps, { index: job.index, seq: job.seq, files, skipped, deletedPaths });
  if (result.kind === 'superseded') return { ...EMPTY_OUTCOME, status: 'superseded', downloads };
  const outcome = outcomeOfCommit(result, {
    downloads,
    skipped: skipped.length,
    deleted: deletedPaths.length,
    ignored: ignored.length,
  });
  const published = await deps.state.publish(job.index, { seq: job.seq, commit: job.after });
  return { ...outcome, status: published ? 'published' : 'superseded', commit: job.after };
}

/** Why the push cannot be applied path by path and must become a sync of `after`, if it must. */
function syncReason(deps: PipelineDeps, job: PushJob, indexed: string | undefined): string | undefined {
  const changed = job.upserted.length + job.removed.length;
  if (changed > deps.settings.batchFiles) return `push of ${changed} paths`;
  if (indexed !== job.before)
    return `index at ${indexed?.slice(0, 7) ?? 'nothing'}, push from ${job.before.slice(0, 7)}`;
  // One inside a built-in excluded directory is never read, so changing it changes nothing.
  const ignoreFile = [...job.upserted, ...job.removed].find(
    (path) => isIgnoreFile(path) && skipByPath(path) === undefined,
  );
  if (ignoreFile !== undefined) return `${ignoreFile} changed`;
  return undefined;
}
