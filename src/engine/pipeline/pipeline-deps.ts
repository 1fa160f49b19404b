/**
 * Everything a job needs, passed in by the entry point (the index worker) or a test. The engine's own change
 * dependencies (chunker, embedder, caches, chunk store) plus the pipeline's ports and a few settings.
 */
import type { ChangeDeps } from '../indexing/apply-file-changes.ts';
import type { FileHashLookup, IndexStateStore, JobQueue, PipelineLog, SourceHost } from './ports.ts';

export interface PipelineSettings {
  /** Files (downloads plus deletions) per `files` job, and the most a push job applies directly. @default 50 */
  readonly batchFiles: number;
  /** Larger files are skipped without a download. @default 1 MiB, as local discovery */
  readonly maxFileBytes: number;
  /** Concurrent blob downloads per job: well under GitHub's concurrent-request limit. @default 8 */
  readonly downloadConcurrency: number;
  /**
   * How long a writer lease lasts: longer than the worker function can run, so a lease that has not ended by
   * then belongs to a dead writer. @default 15 minutes
   */
  readonly writerLeaseMs: number;
  /** How often a newer job looks whether older writers have finished. @default 250 */
  readonly writerPollMs: number;
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  batchFiles: 50,
  maxFileBytes: 1024 * 1024,
  downloadConcurrency: 8,
  writerLeaseMs: 15 * 60_000,
  writerPollMs: 250,
};

export interface PipelineDeps extends ChangeDeps {
  readonly source: SourceHost;
  readonly fileLookup: FileHashLookup;
  readonly state: IndexStateStore;
  readonly queue: JobQueue;
  readonly log: PipelineLog;
  readonly settings: PipelineSettings;
  /** Epoch ms at which the current invocation is cut off (Lambda's deadline); bounds writer leases. */
  readonly invocationDeadline?: () => number;
  /** Injected for tests. @default Date.now */
  readonly now?: () => number;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}
