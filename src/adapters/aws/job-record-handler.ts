/**
 * What the index worker does with one SQS record, between the queue and `runJob`:
 *
 * - success → the record is reported as processed (SQS deletes it);
 * - a permanent failure (malformed job, repository gone, access denied), or a transient one on the record's
 *   last allowed receive → the record goes to the DLQ with its reason and is reported as processed, so it
 *   neither blocks nor repeats;
 * - a rate limit with a known wait → the record's visibility is pushed out by that wait, then it fails;
 * - any other failure → it fails, and SQS redelivers it after the visibility timeout.
 *
 * Failures are thrown, which Powertools' batch processor turns into `batchItemFailures` for that record only.
 */
import type { SQSRecord } from 'aws-lambda';
import { PermanentJobError, RetryLaterError } from '#engine/pipeline/errors.ts';
import type { JobOutcome } from '#engine/pipeline/job-outcome.ts';
import type { PipelineLog } from '#engine/pipeline/ports.ts';
import type { DeadLetterSink } from './sqs-dead-letters.ts';

export interface JobRecordDeps {
  readonly run: (body: unknown) => Promise<JobOutcome & { job: string }>;
  readonly deadLetters: DeadLetterSink;
  readonly delay: (receiptHandle: string, delayMs: number) => Promise<void>;
  /** Remembers a permanent failure on the index's state (shown to the repository's owners). */
  readonly recordError?: (index: string, message: string) => Promise<void>;
  readonly log: PipelineLog;
  /** Receives after which a transient failure is dead-lettered too. Keep below the queue's redrive limit. @default 5 */
  readonly maxReceives: number;
  /** Sees every record's result (the Lambda turns them into metrics). */
  readonly onResult?: (result: RecordResult) => void;
}

export type RecordResult = (JobOutcome & { job: string }) | { status: 'dead-lettered'; reason: string };

export function createJobRecordHandler(deps: JobRecordDeps): (record: SQSRecord) => Promise<RecordResult> {
  return async (record) => {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      return deadLetter(deps, record, receiveCount, 'message body is not JSON', undefined);
    }
    try {
      const outcome = await deps.run(body);
      deps.log.info('job done', { messageId: record.messageId, ...outcome });
      deps.onResult?.(outcome);
      return outcome;
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const index = indexOf(body);
      if (error instanceof PermanentJobError) return deadLetter(deps, record, receiveCount, reason, index);
      if (receiveCount >= deps.maxReceives)
        return deadLetter(
          deps,
          record,
          receiveCount,
          `gave up after ${receiveCount} attempts: ${reason}`,
          index,
        );
      if (error instanceof RetryLaterError) {
        await deps.delay(record.receiptHandle, error.delayMs).catch((delayError: unknown) => {
          deps.log.warn('could not delay the message', {
            messageId: record.messageId,
            error: String(delayError),
          });
        });
      }
      deps.log.warn('job failed; it will be retried', {
        messageId: record.messageId,
        receiveCount,
        reason,
        index,
      });
      throw error;
    }
  };
}

async function deadLetter(
  deps: JobRecordDeps,
  record: SQSRecord,
  receiveCount: number,
  reason: string,
  index: string | undefined,
): Promise<RecordResult> {
  // If this send fails the record fails too, and SQS's redrive policy remains the backstop.
  await deps.deadLetters.send({ body: record.body, reason, messageId: record.messageId, receiveCount });
  deps.log.warn('job dead-lettered', { messageId: record.messageId, receiveCount, reason, index });
  if (index && deps.recordError) await deps.recordError(index, reason).catch(() => {});
  const result: RecordResult = { status: 'dead-lettered', reason };
  deps.onResult?.(result);
  return result;
}

function indexOf(body: unknown): string | undefined {
  const index = (body as { index?: unknown } | null)?.index;
  return typeof index === 'string' ? index : undefined;
}
