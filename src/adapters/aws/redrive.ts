/**
 * Moves dead-lettered jobs back to the job queue once their cause is fixed (a token renewed, a repository
 * re-registered), printing each one's reason first. A redriven job is safe to run whenever: it carries its
 * push's ordering key, so if newer pushes were indexed meanwhile it simply gives way to them.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { SqsSender } from './sqs-job-queue.ts';

export interface RedriveOptions {
  readonly sqs: SqsSender;
  /** The dead-letter queue's URL. */
  readonly from: string;
  /** The job queue's URL. */
  readonly to: string;
  /** Stop after this many messages. @default all */
  readonly max?: number;
  /** Only list what would be moved; the listed messages stay invisible for `visibilitySeconds`. */
  readonly dryRun?: boolean;
  /** @default 60 */
  readonly visibilitySeconds?: number;
  readonly print: (line: string) => void;
}

export interface RedriveReport {
  readonly seen: number;
  readonly moved: number;
  readonly reasons: Record<string, number>;
}

export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveReport> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const reasons: Record<string, number> = {};
  let seen = 0;
  let moved = 0;
  while (seen < max) {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.from,
        MaxNumberOfMessages: Math.min(10, max - seen),
        VisibilityTimeout: options.visibilitySeconds ?? 60,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    seen += Messages.length;
    for (const message of Messages) {
      const reason = reasonOf(message);
      reasons[reason] = (reasons[reason] ?? 0) + 1;
      options.print(`${message.MessageId}  ${reason}  ${(message.Body ?? '').slice(0, 160)}`);
    }
    if (options.dryRun) continue;
    const sent = await options.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: options.to,
        Entries: Messages.map((message, i) => ({ Id: String(i), MessageBody: message.Body ?? '' })),
      }),
    );
    // Only what the job queue accepted leaves the DLQ; the rest reappears there after the visibility timeout.
    const accepted = new Set((sent.Successful ?? []).map((entry) => entry.Id));
    const toDelete = Messages.map((message, i) => ({
      Id: String(i),
      ReceiptHandle: message.ReceiptHandle ?? '',
    })).filter((entry) => accepted.has(entry.Id));
    if (toDelete.length > 0)
      await options.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.from, Entries: toDelete }));
    moved += toDelete.length;
  }
  return { seen, moved, reasons };
}

function reasonOf(message: Message): string {
  return (
    message.MessageAttributes?.reason?.StringValue ?? '(no reason recorded: moved by the redrive policy)'
  );
}
