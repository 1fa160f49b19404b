/**
 * The index worker's Lambda shape: an SQS event source with partial batch responses. Powertools' batch
 * processor calls the record handler for each message and reports only the failed ones in
 * `batchItemFailures`, so one bad message never makes SQS redeliver the good ones next to it.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createJobRecordHandler, type JobRecordDeps } from '#adapters/aws/job-record-handler.ts';
import type { PipelineDeps } from '#engine/pipeline/pipeline-deps.ts';
import { runJob } from '#engine/pipeline/run-job.ts';

export type IndexWorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface IndexWorkerDeps extends Omit<JobRecordDeps, 'run' | 'log'> {
  readonly pipeline: PipelineDeps;
}

export function createIndexWorkerHandler(deps: IndexWorkerDeps): IndexWorkerHandler {
  // Invocations of one container never overlap, so the current one's deadline can live here.
  let deadline = Number.POSITIVE_INFINITY;
  const pipeline: PipelineDeps = { ...deps.pipeline, invocationDeadline: () => deadline };
  const handle = createSqsJobHandler({
    ...deps,
    run: (body) => runJob(pipeline, body),
    log: deps.pipeline.log,
  });
  return (event, context) => {
    deadline = Date.now() + context.getRemainingTimeInMillis();
    return handle(event, context);
  };
}

/** The queue mechanics alone, around any job runner. */
export function createSqsJobHandler(deps: JobRecordDeps): IndexWorkerHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = createJobRecordHandler(deps);
  return (event, context) =>
    processPartialResponse(event, handleRecord, processor, {
      context,
      // All failed is still a partial response: every record reported, none of them retried twice as hard.
      throwOnFullBatchFailure: false,
      // One job at a time: each already uses every vCPU for embedding, and memory stays bounded.
      processInParallel: false,
    });
}
