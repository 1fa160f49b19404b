/**
 * The engine's JobQueue over SQS: SendMessageBatch in groups of 10 and under the request size limit, with
 * entries SQS reports as failed sent again (a batch can partly fail). The job kind and index ride along as
 * message attributes so the queue can be inspected without parsing bodies.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { CodeSearchError } from '#engine/errors.ts';
import type { Job } from '#engine/pipeline/jobs.ts';
import type { JobQueue } from '#engine/pipeline/ports.ts';

export type SqsSender = Pick<SQSClient, 'send'>;

const MAX_ENTRIES = 10;
/** SQS allows 1 MiB per batch request; stay well under it. */
const MAX_BATCH_BYTES = 900 * 1024;
const MAX_ROUNDS = 5;

export class QueueSendError extends CodeSearchError {}

export class SqsJobQueue implements JobQueue {
  readonly #client: SqsSender;
  readonly #queueUrl: string;

  constructor(client: SqsSender, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(jobs: readonly Job[]): Promise<void> {
    for (const group of groups(jobs.map(toEntry))) await this.#sendGroup(group);
  }

  async #sendGroup(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let round = 1; pending.length > 0; round++) {
      const result = await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: pending }),
      );
      const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
      const permanent = (result.Failed ?? []).find((failure) => failure.SenderFault);
      if (permanent)
        throw new QueueSendError(`SQS refused a job: ${permanent.Code} ${permanent.Message ?? ''}`.trim());
      pending = pending.filter((entry) => failed.has(entry.Id));
      if (pending.length > 0 && round >= MAX_ROUNDS)
        throw new QueueSendError(`${pending.length} jobs not accepted by SQS after ${MAX_ROUNDS} attempts`);
      if (pending.length > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** round));
    }
  }
}

function toEntry(job: Job, i: number): SendMessageBatchRequestEntry {
  return {
    Id: String(i),
    MessageBody: JSON.stringify(job),
    MessageAttributes: {
      kind: { DataType: 'String', StringValue: String(job.kind) },
      index: { DataType: 'String', StringValue: String(job.index) },
    },
  };
}

function* groups(entries: SendMessageBatchRequestEntry[]): Generator<SendMessageBatchRequestEntry[]> {
  let group: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.MessageBody ?? '') + 200;
    if (group.length > 0 && (group.length === MAX_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      yield group;
      group = [];
      bytes = 0;
    }
    group.push({ ...entry, Id: String(group.length) });
    bytes += size;
  }
  if (group.length > 0) yield group;
}
