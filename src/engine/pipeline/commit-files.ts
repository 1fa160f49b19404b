/**
 * The write step shared by every job: under a writer lease, ONE chunk-store commit for the batch (through the
 * engine's `applyFileChanges`), then the file hashes. Files whose content is skipped (binary, minified,
 * generated…) lose any chunks they had and are recorded with zero chunks and their blob id, so the next sync
 * sees them as unchanged instead of downloading them again.
 */
import { randomUUID } from 'node:crypto';
import type { SkipVerdict } from '../discovery/skip-verdict.ts';
import { applyFileChanges, type BatchOutcome } from '../indexing/apply-file-changes.ts';
import type { SourceFile } from '../types.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { WriterLease } from './ports.ts';

export interface SkippedBlob {
  readonly path: string;
  readonly sha: string;
  readonly verdict: SkipVerdict;
}

export interface FilesToCommit {
  readonly index: string;
  readonly seq: number;
  readonly files: readonly SourceFile[];
  readonly skipped: readonly SkippedBlob[];
  readonly deletedPaths: readonly string[];
}

export type CommitResult =
  | { readonly kind: 'committed'; readonly outcome: BatchOutcome }
  | { readonly kind: 'nothing-to-do' }
  | { readonly kind: 'superseded' };

export async function commitFiles(deps: PipelineDeps, batch: FilesToCommit): Promise<CommitResult> {
  if (batch.files.length === 0 && batch.skipped.length === 0 && batch.deletedPaths.length === 0)
    return { kind: 'nothing-to-do' };
  const now = deps.now ?? Date.now;
  const lease = writerLease(deps, batch.seq);
  if (!(await deps.state.beginWrite(batch.index, lease))) return { kind: 'superseded' };
  try {
    const skippedPaths = batch.skipped.map((blob) => blob.path);
    const outcome = await applyFileChanges(deps, batch.index, {
      files: batch.files,
      deletedPaths: [...batch.deletedPaths, ...skippedPaths],
    });
    if (outcome.skipped.length > 0)
      deps.log.warn('files not indexed', {
        index: batch.index,
        files: outcome.skipped.slice(0, 10).map((file) => `${file.path.slice(0, 300)}: ${file.detail}`),
      });
    if (batch.skipped.length > 0) {
      const indexedAt = new Date(now()).toISOString();
      await deps.fileHashes.applyChanges(
        batch.index,
        batch.skipped.map((blob) => ({ path: blob.path, hash: blob.sha, chunkCount: 0, indexedAt })),
        [],
      );
    }
    return { kind: 'committed', outcome };
  } finally {
    await endWrite(deps, batch.index, lease.id);
  }
}

/** A new writer lease for a job of `seq`. A writer cannot outlive its invocation: the lease ends with it. */
export function writerLease(deps: PipelineDeps, seq: number): WriterLease {
  const now = deps.now ?? Date.now;
  return {
    id: (deps.newId ?? randomUUID)(),
    seq,
    until: Math.min(
      now() + deps.settings.writerLeaseMs,
      deps.invocationDeadline?.() ?? Number.POSITIVE_INFINITY,
    ),
  };
}

/**
 * Ends a lease, retrying: a lease left behind makes the next job for the index wait until it expires. If it
 * still fails, that wait is the only cost; the real error (if any) is never hidden behind this one.
 */
export async function endWrite(deps: PipelineDeps, index: string, writerId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.state.endWrite(index, writerId);
      return;
    } catch (error) {
      if (attempt >= 5) {
        deps.log.warn('could not end writer lease; newer jobs wait for it to expire', {
          index,
          error: String(error),
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
    }
  }
}

/**
 * Waits until no job older than `seq` holds a live writer lease on `index`. Called by a job right after its
 * claim was accepted and before it reads the file-hash table: from then on no older job can start writing
 * (its `beginWrite` is refused), and this wait lets the ones already writing finish.
 */
export async function waitForOlderWriters(deps: PipelineDeps, index: string, seq: number): Promise<void> {
  const now = deps.now ?? Date.now;
  const giveUpAt = now() + deps.settings.writerLeaseMs;
  for (;;) {
    const state = await deps.state.get(index);
    const time = now();
    const older = (state?.writers ?? []).filter((writer) => writer.seq < seq && writer.until > time);
    if (older.length === 0) return;
    if (time >= giveUpAt) return; // every lease has expired by now: their writers are gone
    deps.log.info('waiting for older writers', { index, seq, writers: older.length });
    await new Promise((resolve) => setTimeout(resolve, deps.settings.writerPollMs));
  }
}
