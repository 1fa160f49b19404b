/**
 * A push applied directly: when the index is exactly at the push's `before` commit, only the paths the push
 * lists are fetched (one request each), chunked and embedded — a one-file push costs one download and that
 * file's new chunks. In every other case (the index is behind or ahead, a previous push is still being
 * applied, or the push is large) the job becomes a sync of `after`, which compares blob ids and is just as
 * correct, only a little dearer.
 */

import type { SourceFile } from '../types.ts';
import { blobToSource } from './blob-to-source.ts';
import { commitFiles, type SkippedBlob, waitForOlderWriters } from './commit-files.ts';
import { EMPTY_OUTCOME, type JobOutcome, outcomeOfCommit } from './job-outcome.ts';
import type { PushJob } from './jobs.ts';
import { mapLimited } from './map-limited.ts';
import { skipByPath } from './path-rules.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { runSyncJob } from './sync-job.ts';

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
  const large = job.upserted.length + job.removed.length > deps.settings.batchFiles;
  if (state?.commit !== job.before || large) {
    const reason = large
      ? `push of ${job.upserted.length + job.removed.length} paths`
      : `index at ${state?.commit?.slice(0, 7) ?? 'nothing'}, push from ${job.before.slice(0, 7)}`;
    return runSyncJob(deps, { ...job, kind: 'sync', commit: job.after, reason });
  }

  // Paths that can never be indexed are not fetched; they cannot have chunks either.
  const candidates = job.upserted.filter((path) => skipByPath(path) === undefined);
  const recorded = await deps.fileLookup.getFiles(job.index, candidates);
  const files: SourceFile[] = [];
  const skipped: SkippedBlob[] = [];
  const deletedPaths = [...job.removed];
  await mapLimited(candidates, deps.settings.downloadConcurrency, async (path) => {
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

  const result = await commitFiles(deps, { index: job.index, seq: job.seq, files, skipped, deletedPaths });
  if (result.kind === 'superseded')
    return { ...EMPTY_OUTCOME, status: 'superseded', downloads: candidates.length };
  const outcome = outcomeOfCommit(result, {
    downloads: candidates.length,
    skipped: skipped.length,
    deleted: deletedPaths.length,
  });
  const published = await deps.state.publish(job.index, { seq: job.seq, commit: job.after });
  return { ...outcome, status: published ? 'published' : 'superseded', commit: job.after };
}
