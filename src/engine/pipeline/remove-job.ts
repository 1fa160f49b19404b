/**
 * A branch index taken out of the search (its branch was deleted): every chunk of the index, every file hash,
 * and its listing. The state item stays as a tombstone — published at the null commit with the job's `seq` —
 * so that an older push still on the queue is superseded instead of bringing the index back, while a newer
 * push (the branch recreated) claims it afresh and its sync indexes it from nothing.
 */
import { endWrite, waitForOlderWriters, writerLease } from './commit-files.ts';
import { EMPTY_OUTCOME, type JobOutcome } from './job-outcome.ts';
import type { RemoveJob } from './jobs.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { NULL_SHA } from './push-decision.ts';

export async function runRemoveJob(deps: PipelineDeps, job: RemoveJob): Promise<JobOutcome> {
  // A removal that does not name the branch takes the index's own; an index never indexed has nothing to lose.
  const branch = job.branch ?? (await deps.state.get(job.index))?.branch;
  if (branch === undefined) return EMPTY_OUTCOME;
  const claim = await deps.state.claim(job.index, {
    repo: job.repo,
    branch,
    seq: job.seq,
    commit: NULL_SHA,
  });
  if (claim === 'superseded') return { ...EMPTY_OUTCOME, status: 'superseded' };
  await waitForOlderWriters(deps, job.index, job.seq);
  const lease = writerLease(deps, job.seq);
  if (!(await deps.state.beginWrite(job.index, lease))) return { ...EMPTY_OUTCOME, status: 'superseded' };
  let files: number;
  try {
    // Chunks first: a removal cut short leaves file hashes, and its redelivery finds and removes them.
    const recorded = await deps.fileHashes.listFiles(job.index);
    await deps.store.deleteRepo(job.index);
    await deps.fileHashes.applyChanges(job.index, [], [...recorded.keys()]);
    files = recorded.size;
  } finally {
    await endWrite(deps, job.index, lease.id);
  }
  const published = await deps.state.publish(job.index, { seq: job.seq, commit: NULL_SHA });
  deps.log.info('index removed', { index: job.index, files, reason: job.reason });
  return { ...EMPTY_OUTCOME, status: published ? 'removed' : 'superseded', filesDeleted: files };
}

/** Whether a state's published commit is a removal's tombstone (the index is gone). */
export function isRemoved(state: { readonly commit?: string }): boolean {
  return state.commit === NULL_SHA;
}
