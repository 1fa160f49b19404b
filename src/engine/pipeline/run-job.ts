/**
 * The index worker's core: validate a queued message and run it. The entry point adds the queue mechanics
 * (partial batch failures, dead-lettering); this function only decides and does the work.
 *
 * @example
 * const outcome = await runJob(deps, JSON.parse(record.body));
 * logger.info('job done', { ...outcome });
 */
import { PermanentJobError } from './errors.ts';
import { runFilesJob } from './files-job.ts';
import type { JobOutcome } from './job-outcome.ts';
import { describeJob, type Job, JobSchema } from './jobs.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { runPushJob } from './push-job.ts';
import { runRemoveJob } from './remove-job.ts';
import { runSyncJob } from './sync-job.ts';

/** Parses a message body into a job; a message that is not a valid job can never succeed. */
export function parseJob(body: unknown): Job {
  const parsed = JobSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
    );
    throw new PermanentJobError(`not a valid indexing job: ${issues.slice(0, 5).join('; ')}`);
  }
  return parsed.data;
}

export async function runJob(deps: PipelineDeps, body: unknown): Promise<JobOutcome & { job: string }> {
  const job = parseJob(body);
  const outcome = await dispatch(deps, job);
  return { ...outcome, job: describeJob(job) };
}

function dispatch(deps: PipelineDeps, job: Job): Promise<JobOutcome> {
  switch (job.kind) {
    case 'push':
      return runPushJob(deps, job);
    case 'sync':
      return runSyncJob(deps, job);
    case 'files':
      return runFilesJob(deps, job);
    case 'remove':
      return runRemoveJob(deps, job);
  }
}
