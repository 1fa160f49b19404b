/**
 * One batch of a sync: download the listed blobs that the file-hash table does not already hold, commit them
 * with the batch's deletions, count the batch done, and publish the commit when it was the last one.
 *
 * Redelivery is cheap and safe: blobs recorded by an earlier attempt are not downloaded again, the commit
 * replaces whole files, and the done-count is a set of batch numbers.
 */

import type { SourceFile } from '../types.ts';
import { blobToSource } from './blob-to-source.ts';
import { commitFiles, type SkippedBlob } from './commit-files.ts';
import { EMPTY_OUTCOME, type JobOutcome, outcomeOfCommit } from './job-outcome.ts';
import type { FilesJob } from './jobs.ts';
import { mapLimited } from './map-limited.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export async function runFilesJob(deps: PipelineDeps, job: FilesJob): Promise<JobOutcome> {
  const state = await deps.state.get(job.index);
  // A newer job owns the index: skip the downloads too (beginWrite would refuse the commit anyway).
  if (state?.target && state.target.seq > job.seq) return { ...EMPTY_OUTCOME, status: 'superseded' };

  const recorded = await deps.fileLookup.getFiles(
    job.index,
    job.files.map((file) => file.path),
  );
  const needed = job.files.filter((file) => recorded.get(file.path)?.hash !== file.sha);
  const files: SourceFile[] = [];
  const skipped: SkippedBlob[] = [];
  await mapLimited(needed, deps.settings.downloadConcurrency, async ({ path, sha }) => {
    const verdict = blobToSource(path, sha, await deps.source.readBlob(job.repo, sha));
    if (verdict.kind === 'source') files.push(verdict.file);
    else skipped.push({ path, sha, verdict: verdict.verdict });
  });
  const result = await commitFiles(deps, {
    index: job.index,
    seq: job.seq,
    files,
    skipped,
    deletedPaths: job.deletedPaths,
  });
  if (result.kind === 'superseded')
    return { ...EMPTY_OUTCOME, status: 'superseded', downloads: needed.length };
  const outcome = outcomeOfCommit(result, {
    downloads: needed.length,
    skipped: skipped.length,
    deleted: job.deletedPaths.length,
  });

  const progress = await deps.state.finishBatch(job.index, {
    id: job.syncId,
    seq: job.seq,
    batch: job.batch,
  });
  if (!progress) return { ...outcome, status: 'superseded' };
  if (progress.done < progress.batches) return outcome;
  const published = await deps.state.publish(job.index, { seq: job.seq, commit: job.commit });
  if (published)
    deps.log.info('index published', { index: job.index, commit: job.commit, batches: job.batches });
  return { ...outcome, status: published ? 'published' : 'superseded', commit: job.commit };
}
