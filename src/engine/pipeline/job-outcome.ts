/** What a job did, for logs, metrics and tests. */
import type { CommitResult } from './commit-files.ts';

export interface JobOutcome {
  /**
   * `published`: the index now serves the job's commit. `committed`: a batch was written, the sync is not yet
   * complete. `planned`: a sync queued its batches. `unchanged`: there was nothing to do. `superseded`: a
   * newer job for the index took over, so this one stopped without writing. `removed`: the index is gone.
   */
  readonly status: 'published' | 'committed' | 'planned' | 'unchanged' | 'superseded' | 'removed';
  readonly commit?: string;
  /** Blobs or files fetched from the code host. */
  readonly downloads: number;
  readonly filesWritten: number;
  readonly filesDeleted: number;
  readonly filesSkipped: number;
  /**
   * Files left out by `.codesearchignore`, never downloaded. Counted apart from the skips, as local discovery
   * counts them (`ignoredFiles`): a skip is a file judged unfit, an ignored file is one its owners excluded.
   */
  readonly filesIgnored: number;
  readonly chunksEmbedded: number;
  readonly chunksFromCache: number;
  readonly batchesQueued: number;
}

export const EMPTY_OUTCOME: JobOutcome = {
  status: 'unchanged',
  downloads: 0,
  filesWritten: 0,
  filesDeleted: 0,
  filesSkipped: 0,
  filesIgnored: 0,
  chunksEmbedded: 0,
  chunksFromCache: 0,
  batchesQueued: 0,
};

export function outcomeOfCommit(
  result: CommitResult,
  counts: { downloads: number; skipped: number; deleted: number; ignored?: number },
): JobOutcome {
  const filesIgnored = counts.ignored ?? 0;
  if (result.kind !== 'committed') return { ...EMPTY_OUTCOME, downloads: counts.downloads, filesIgnored };
  return {
    ...EMPTY_OUTCOME,
    status: 'committed',
    downloads: counts.downloads,
    filesWritten: result.outcome.files,
    filesDeleted: counts.deleted,
    filesSkipped: counts.skipped + result.outcome.skipped.length,
    filesIgnored,
    chunksEmbedded: result.outcome.embedded,
    chunksFromCache: result.outcome.fromCache,
  };
}
