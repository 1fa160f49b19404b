/** What a job did, for logs, metrics and tests. */
import type { CommitResult } from './commit-files.ts';

export interface JobOutcome {
  /**
   * `published`: the index now serves the job's commit. `committed`: a batch was written, the sync is not yet
   * complete. `planned`: a sync queued its batches. `unchanged`: there was nothing to do. `superseded`: a
   * newer job for the index took over, so this one stopped without writing.
   */
  readonly status: 'published' | 'committed' | 'planned' | 'unchanged' | 'superseded';
  readonly commit?: string;
  /** Blobs or files fetched from the code host. */
  readonly downloads: number;
  readonly filesWritten: number;
  readonly filesDeleted: number;
  readonly filesSkipped: number;
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
  chunksEmbedded: 0,
  chunksFromCache: 0,
  batchesQueued: 0,
};

export function outcomeOfCommit(
  result: CommitResult,
  counts: { downloads: number; skipped: number; deleted: number },
): JobOutcome {
  if (result.kind !== 'committed') return { ...EMPTY_OUTCOME, downloads: counts.downloads };
  return {
    ...EMPTY_OUTCOME,
    status: 'committed',
    downloads: counts.downloads,
    filesWritten: result.outcome.files,
    filesDeleted: counts.deleted,
    filesSkipped: counts.skipped,
    chunksEmbedded: result.outcome.embedded,
    chunksFromCache: result.outcome.fromCache,
  };
}
