/**
 * Dead-lettering with a reason. SQS's own redrive policy moves a message to the DLQ after N receives but
 * keeps no record of why; the worker sends poison messages there itself, with the reason and the original
 * message id as message attributes (and then deletes the original by reporting it as processed), so an
 * operator reading the DLQ — or the redrive script — sees what went wrong. The redrive policy stays as a
 * backstop for workers that crash before they can do this.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { redactor } from '#engine/secret-redaction.ts';
import { type SqsSender, sqsSafeText } from './sqs-job-queue.ts';

export interface DeadLetter {
  readonly body: string;
  readonly reason: string;
  readonly messageId: string;
  readonly receiveCount: number;
}

export interface DeadLetterSink {
  send(letter: DeadLetter): Promise<void>;
}

/** SQS caps a visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

export class SqsDeadLetterQueue implements DeadLetterSink {
  readonly #client: SqsSender;
  readonly #queueUrl: string;

  constructor(client: SqsSender, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(letter: DeadLetter): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: letter.body,
        MessageAttributes: {
          reason: {
            DataType: 'String',
            StringValue: sqsSafeText(redactor.redact(letter.reason)).slice(0, 1000) || 'unknown',
          },
          originalMessageId: { DataType: 'String', StringValue: letter.messageId },
          receiveCount: { DataType: 'Number', StringValue: String(letter.receiveCount) },
          failedAt: { DataType: 'String', StringValue: new Date().toISOString() },
        },
      }),
    );
  }
}

/** Pushes a message's next delivery out (a rate limit's reset): it stays invisible until then. */
export class SqsVisibility {
  readonly #client: SqsSender;
  readonly #queueUrl: string;

  constructor(client: SqsSender, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async delay(receiptHandle: string, delayMs: number): Promise<void> {
    const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(delayMs / 1000)));
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
