/**
 * A small in-memory SQS that speaks the AWS JSON 1.0 protocol the v3 SDK uses (`X-Amz-Target:
 * AmazonSQS.<Operation>`), so the real SQS adapters run against it unchanged. It keeps what the pipeline
 * relies on: visibility timeouts, receive counts, a redrive policy into a dead-letter queue, message
 * attributes, batch sends with per-entry results, body MD5s (the SDK verifies them), and SQS's size limits
 * (1 MiB per message, attributes included, and per batch request) and character set (XML's), refused as SQS
 * refuses them. No long
 * polling: a receive returns at once. Queues are created up front by the test.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AwsCall, principalOf } from './aws-calls.ts';

/** SQS's limit per message and per batch request since January 2026 (256 KiB before). */
const MAX_MESSAGE_BYTES = 1024 * 1024;

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Record<string, unknown> | undefined;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receipt: string | undefined;
}

interface Queue {
  readonly name: string;
  readonly duplicateDeliveries: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
  messages: StoredMessage[];
}

export interface QueueOptions {
  /** @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Store every message twice: SQS delivers at least once, and consumers must not care. */
  readonly duplicateDeliveries?: boolean;
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

export interface SqsEmulator {
  readonly endpoint: string;
  createQueue(name: string, options?: QueueOptions): string;
  queueUrl(name: string): string;
  /** Every message of a queue, visible or not (bodies and attributes), for assertions. */
  peek(
    name: string,
  ): { body: string; attributes: Record<string, unknown> | undefined; receiveCount: number }[];
  /** Messages not yet deleted, and how many of them are in flight. */
  depth(name: string): { total: number; inFlight: number };
  /** Every request: who, which operation, which queue. */
  readonly calls: AwsCall[];
  stop(): Promise<void>;
}

const ACCOUNT = '000000000000';

export async function startSqsEmulator(): Promise<SqsEmulator> {
  const queues = new Map<string, Queue>();
  const calls: AwsCall[] = [];
  let endpoint = '';
  const urlOf = (name: string) => `${endpoint}/${ACCOUNT}/${name}`;
  const queueOf = (url: unknown): Queue => {
    const name =
      String(url ?? '')
        .split('/')
        .pop() ?? '';
    const queue = queues.get(name);
    if (!queue) throw new SqsFault(400, 'AWS.SimpleQueueService.NonExistentQueue', `no queue ${String(url)}`);
    return queue;
  };

  /** What SQS counts against its size limit: the body, and each attribute's name, type and value. */
  const sizeOf = (entry: Record<string, unknown>): number => {
    let bytes = Buffer.byteLength(String(entry.MessageBody ?? ''));
    for (const [name, value] of Object.entries(
      (entry.MessageAttributes ?? {}) as Record<string, Record<string, string>>,
    ))
      bytes +=
        Buffer.byteLength(name) +
        Buffer.byteLength(value.DataType ?? '') +
        Buffer.byteLength(value.StringValue ?? '');
    return bytes;
  };
  const checkCharacters = (entry: Record<string, unknown>): void => {
    const texts = [
      String(entry.MessageBody ?? ''),
      ...Object.values((entry.MessageAttributes ?? {}) as Record<string, Record<string, string>>).map(
        (value) => value.StringValue ?? '',
      ),
    ];
    if (texts.some((text) => /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(text)))
      throw new SqsFault(400, 'InvalidMessageContents', 'Invalid characters found.');
  };
  const checkSize = (entry: Record<string, unknown>): void => {
    checkCharacters(entry);
    if (sizeOf(entry) > MAX_MESSAGE_BYTES)
      throw new SqsFault(
        400,
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
      );
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetQueueUrl: (input) => ({ QueueUrl: urlOf(queueOf(`/${String(input.QueueName)}`).name) }),
    SendMessage: (input) => {
      checkSize(input);
      const message = store(queueOf(input.QueueUrl), input);
      return { MessageId: message.id, MD5OfMessageBody: md5(message.body) };
    },
    SendMessageBatch: (input) => {
      const queue = queueOf(input.QueueUrl);
      const entries = input.Entries as Record<string, unknown>[];
      if (entries.length > 10)
        throw new SqsFault(400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', '> 10');
      if (entries.reduce((total, entry) => total + sizeOf(entry), 0) > MAX_MESSAGE_BYTES)
        throw new SqsFault(
          400,
          'AWS.SimpleQueueService.BatchRequestTooLong',
          'Batch requests cannot be longer than 1048576 bytes',
        );
      for (const entry of entries) checkSize(entry);
      const successful = entries.map((entry) => {
        const message = store(queue, entry);
        return { Id: entry.Id, MessageId: message.id, MD5OfMessageBody: md5(message.body) };
      });
      return { Successful: successful, Failed: [] };
    },
    ReceiveMessage: (input) => {
      const queue = queueOf(input.QueueUrl);
      const now = Date.now();
      const max = Number(input.MaxNumberOfMessages ?? 1);
      const visibility = Number(input.VisibilityTimeout ?? queue.visibilityTimeoutSeconds);
      const received: StoredMessage[] = [];
      for (const message of [...queue.messages]) {
        if (received.length >= max) break;
        if (message.visibleAt > now) continue;
        if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
          // SQS moves a message to the DLQ when a receive would exceed maxReceiveCount.
          queue.messages = queue.messages.filter((m) => m !== message);
          const dead = queues.get(queue.redrive.deadLetterQueue);
          dead?.messages.push({ ...message, receipt: undefined, visibleAt: 0, receiveCount: 0 });
          continue;
        }
        message.receiveCount++;
        message.visibleAt = now + visibility * 1000;
        message.receipt = randomUUID();
        received.push(message);
      }
      return {
        Messages: received.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: message.receipt,
          MD5OfBody: md5(message.body),
          Body: message.body,
          Attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            SenderId: 'AIDTEST',
            ApproximateFirstReceiveTimestamp: String(now),
          },
          ...(message.attributes ? { MessageAttributes: message.attributes } : {}),
        })),
      };
    },
    DeleteMessage: (input) => {
      remove(queueOf(input.QueueUrl), String(input.ReceiptHandle));
      return {};
    },
    DeleteMessageBatch: (input) => {
      const queue = queueOf(input.QueueUrl);
      const entries = input.Entries as { Id: string; ReceiptHandle: string }[];
      for (const entry of entries) remove(queue, entry.ReceiptHandle);
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    ChangeMessageVisibility: (input) => {
      const queue = queueOf(input.QueueUrl);
      const message = queue.messages.find((m) => m.receipt === input.ReceiptHandle);
      if (!message) throw new SqsFault(400, 'ReceiptHandleIsInvalid', 'unknown receipt handle');
      message.visibleAt = Date.now() + Number(input.VisibilityTimeout) * 1000;
      return {};
    },
    GetQueueAttributes: (input) => {
      const queue = queueOf(input.QueueUrl);
      const now = Date.now();
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.visibleAt <= now).length),
          ApproximateNumberOfMessagesNotVisible: String(
            queue.messages.filter((m) => m.visibleAt > now).length,
          ),
        },
      };
    },
  };

  const server = createServer((req, res) => {
    void handle(req, res, operations, calls);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    createQueue(name, options = {}) {
      queues.set(name, {
        name,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
        duplicateDeliveries: options.duplicateDeliveries ?? false,
        redrive: options.redrive,
        messages: [],
      });
      return urlOf(name);
    },
    queueUrl: urlOf,
    calls,
    peek: (name) =>
      (queues.get(name)?.messages ?? []).map((m) => ({
        body: m.body,
        attributes: m.attributes,
        receiveCount: m.receiveCount,
      })),
    depth(name) {
      const messages = queues.get(name)?.messages ?? [];
      const now = Date.now();
      return { total: messages.length, inFlight: messages.filter((m) => m.visibleAt > now).length };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // clients keep connections alive; do not wait for them to idle out
      }),
  };
}

function store(queue: Queue, input: Record<string, unknown>): StoredMessage {
  const message: StoredMessage = {
    id: randomUUID(),
    body: String(input.MessageBody),
    attributes: input.MessageAttributes as Record<string, unknown> | undefined,
    sentAt: Date.now(),
    receiveCount: 0,
    visibleAt: Date.now() + Number(input.DelaySeconds ?? 0) * 1000,
    receipt: undefined,
  };
  queue.messages.push(message);
  if (queue.duplicateDeliveries) queue.messages.push({ ...message, id: randomUUID() });
  return message;
}

function remove(queue: Queue, receipt: string): void {
  queue.messages = queue.messages.filter((message) => message.receipt !== receipt);
}

class SqsFault extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  operations: Record<string, (input: Record<string, unknown>) => unknown>,
  calls: AwsCall[],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const operation = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
  try {
    const run = operations[operation];
    if (!run) throw new SqsFault(400, 'InvalidAction', `operation ${operation} is not emulated`);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const queue =
      String(input.QueueUrl ?? input.QueueName ?? '')
        .split('/')
        .pop() ?? '';
    calls.push({ principal: principalOf(req.headers.authorization), operation, resources: [queue] });
    const output = run(input);
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(output));
  } catch (error) {
    const fault = error instanceof SqsFault ? error : new SqsFault(500, 'InternalError', String(error));
    res.writeHead(fault.status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${fault.code};Sender`,
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${fault.code}`, message: fault.message }));
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
