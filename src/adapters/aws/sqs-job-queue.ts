/**
 * The engine's JobQueue over SQS: SendMessageBatch in groups of 10 and under the request size limit, with
 * entries SQS reports as failed sent again (a batch can partly fail). The job kind and index ride along as
 * message attributes so the queue can be inspected without parsing bodies.
 *
 * Nothing is sent unchecked: each job is validated with the schema the worker reads it with, and measured
 * (body and attributes) against `MAX_JOB_BYTES`. Producers keep their jobs within both (a push too large
 * becomes a sync, a sync plans batches by size); a job that is not is refused here, with the reason, rather
 * than by SQS on every redelivery or by the worker after a round trip.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { CodeSearchError } from '#engine/errors.ts';
import { type Job, JobSchema, MAX_JOB_BYTES } from '#engine/pipeline/jobs.ts';
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
    const entries = jobs.map((job, i) => checkedEntry(job, i));
    for (const group of groups(entries)) await this.#sendGroup(group);
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

/** The job as a batch entry, once it has passed the worker's schema and the size limit. */
function checkedEntry(job: Job, i: number): SendMessageBatchRequestEntry {
  const parsed = JobSchema.safeParse(job);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new QueueSendError(
      `refusing to queue a job the worker would refuse: ${issue?.path.join('.') || '(job)'}: ${issue?.message}`,
    );
  }
  // What is sent is what the worker will read: the parsed job (names in their canonical spelling).
  const checked = parsed.data;
  const entry: SendMessageBatchRequestEntry = {
    Id: String(i),
    MessageBody: sqsSafeJson(checked),
    MessageAttributes: {
      kind: { DataType: 'String', StringValue: String(checked.kind) },
      index: { DataType: 'String', StringValue: sqsSafeText(String(checked.index)) },
    },
  };
  // The body is what producers measure (`jobBytes`); the attributes add a few hundred bytes, far below SQS's limit.
  const bytes = Buffer.byteLength(entry.MessageBody ?? '');
  if (bytes > MAX_JOB_BYTES)
    throw new QueueSendError(
      `refusing to queue a ${job.kind} job of ${bytes} bytes (at most ${MAX_JOB_BYTES})`,
    );
  return entry;
}

/** What SQS counts against its size limits: the body, and each attribute's name, type and value. */
function entryBytes(entry: SendMessageBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {}))
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  return bytes;
}

function* groups(entries: SendMessageBatchRequestEntry[]): Generator<SendMessageBatchRequestEntry[]> {
  let group: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entryBytes(entry) + 200;
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

/**
 * JSON that SQS accepts. SQS takes only XML's characters (tab, line breaks, U+0020–U+D7FF, U+E000–U+FFFD and
 * above U+FFFF); JSON.stringify escapes control characters and lone surrogates but writes U+FFFE and U+FFFF
 * as they are — which a path may hold. Inside a JSON string any character may be written as `\\uXXXX`, and
 * those two can only be inside strings, so escaping them changes nothing the worker reads.
 */
export function sqsSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\uFFFE\uFFFF]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}

/** Text for an attribute (informational only): every character SQS refuses becomes `?`. */
export function sqsSafeText(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '?');
}
