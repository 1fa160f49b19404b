/**
 * What Lambda's SQS event source mapping does, for tests: receive batches from a queue, invoke the function
 * with an `SQSEvent`, delete the records it did not report in `batchItemFailures`, and leave the failed ones to
 * come back after their visibility timeout. Several pollers side by side behave like concurrent function
 * instances. Runs until the queue is empty (nothing visible, nothing in flight).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface DrainOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** One handler per concurrent "function instance". */
  readonly handlers: readonly SqsHandler[];
  /** @default 1 */
  readonly batchSize?: number;
  /**
   * Seconds a received batch stays invisible: longer than any invocation, as Lambda requires (the stack sets
   * six times the worker's timeout). @default 1800
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * The remaining time each invocation's `Context` starts with, as the function's timeout would give it (the
   * worker bounds its writer leases by it). @default 300_000, the deployed worker's timeout
   */
  readonly functionTimeoutMs?: number;
  /**
   * Makes failed records visible again after this many seconds instead of the full visibility timeout, so that
   * retries do not slow the tests down; `undefined` keeps whatever the handler set (a RetryLater delay).
   * @default 0
   */
  readonly failedVisibilitySeconds?: number | undefined;
  /**
   * Safety net against a test that never converges, so that it fails with this message rather than at the
   * test's timeout; keep it far above what the slowest machine under load needs. @default 240_000
   */
  readonly timeoutMs?: number;
}

export interface DrainReport {
  invocations: number;
  records: number;
  failures: number;
}

export async function drainQueue(options: DrainOptions): Promise<DrainReport> {
  const report: DrainReport = { invocations: 0, records: 0, failures: 0 };
  const timeoutMs = options.timeoutMs ?? 240_000;
  const deadline = Date.now() + timeoutMs;
  const poll = async (handler: SqsHandler): Promise<void> => {
    for (;;) {
      if (Date.now() > deadline) throw new Error(`queue not drained within ${timeoutMs} ms`);
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batchSize ?? 1,
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 1800,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) {
        if (await isEmpty(options)) return;
        await new Promise((resolve) => setTimeout(resolve, 50)); // failed records are still invisible
        continue;
      }
      const records: SQSRecord[] = Messages.map((message) => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: message.Attributes?.SentTimestamp ?? '0',
          SenderId: 'AIDTEST',
          ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
        },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs',
        awsRegion: 'us-east-1',
      }));
      report.invocations++;
      report.records += records.length;
      const response = await handler(
        { Records: records },
        lambdaContext('codesearch-index-worker', options.functionTimeoutMs ?? 300_000),
      );
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      report.failures += failed.size;
      const retryAfter = 'failedVisibilitySeconds' in options ? options.failedVisibilitySeconds : 0;
      if (retryAfter !== undefined) {
        for (const record of records.filter((r) => failed.has(r.messageId)))
          await options.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: options.queueUrl,
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: retryAfter,
            }),
          );
      }
      const done = records.filter((record) => !failed.has(record.messageId));
      if (done.length > 0) {
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: done.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
          }),
        );
      }
    }
  };
  await Promise.all(options.handlers.map(poll));
  return report;
}

async function isEmpty(options: DrainOptions): Promise<boolean> {
  const { Attributes = {} } = await options.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: options.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible) ===
    0
  );
}
