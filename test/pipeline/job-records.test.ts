/**
 * The worker's queue mechanics with a stand-in job runner: partial batch responses, dead-lettering with a
 * reason, delayed retries after rate limits, giving up after the last allowed receive.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '#adapters/aws/sqs-dead-letters.ts';
import { PermanentJobError, RetryLaterError } from '#engine/pipeline/errors.ts';
import { EMPTY_OUTCOME } from '#engine/pipeline/job-outcome.ts';
import { SILENT_LOG } from '#engine/pipeline/ports.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import { createSqsJobHandler } from '../../functions/index-worker/worker-handler.ts';

function record(id: string, body: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `receipt-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs',
    awsRegion: 'us-east-1',
  };
}

describe('index worker queue mechanics', () => {
  it('reports only failed records, dead-letters poison ones with a reason, delays rate-limited ones', async () => {
    // Given: one good job, one that fails transiently, one rate-limited, one permanent failure, one not JSON
    const dead: DeadLetter[] = [];
    const delayed: [string, number][] = [];
    const errors: [string, string][] = [];
    const handler = createSqsJobHandler({
      run: async (body) => {
        const { behaviour } = body as { behaviour: string };
        if (behaviour === 'transient') throw new Error('S3 SlowDown');
        if (behaviour === 'rate-limited') throw new RetryLaterError('secondary rate limit', 90_000);
        if (behaviour === 'permanent') throw new PermanentJobError('GitHub has no /repos/x/y (404)');
        return { ...EMPTY_OUTCOME, job: behaviour };
      },
      deadLetters: { send: async (letter) => void dead.push(letter) },
      delay: async (receipt, ms) => void delayed.push([receipt, ms]),
      recordError: async (index, message) => void errors.push([index, message]),
      log: SILENT_LOG,
      maxReceives: 5,
    });

    // When
    const response = await handler(
      {
        Records: [
          record('ok', { behaviour: 'ok' }),
          record('transient', { behaviour: 'transient' }),
          record('limited', { behaviour: 'rate-limited' }),
          record('permanent', { behaviour: 'permanent', index: 'x/y' }),
          record('garbage', '{not json'),
        ],
      },
      lambdaContext(),
    );

    // Then
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'transient' },
      { itemIdentifier: 'limited' },
    ]);
    expect(delayed).toEqual([['receipt-limited', 90_000]]);
    expect(dead.map((letter) => [letter.messageId, letter.reason])).toEqual([
      ['permanent', 'PermanentJobError: GitHub has no /repos/x/y (404)'],
      ['garbage', 'message body is not JSON'],
    ]);
    expect(errors).toEqual([['x/y', 'PermanentJobError: GitHub has no /repos/x/y (404)']]);
  });

  it('dead-letters a transient failure on its last allowed receive instead of failing it again', async () => {
    const dead: DeadLetter[] = [];
    const handler = createSqsJobHandler({
      run: async () => {
        throw new Error('DynamoDB unavailable');
      },
      deadLetters: { send: async (letter) => void dead.push(letter) },
      delay: async () => {},
      log: SILENT_LOG,
      maxReceives: 5,
    });
    const early = await handler({ Records: [record('m', { index: 'a/b' }, 4)] }, lambdaContext());
    expect(early.batchItemFailures).toEqual([{ itemIdentifier: 'm' }]);
    const last = await handler({ Records: [record('m', { index: 'a/b' }, 5)] }, lambdaContext());
    expect(last.batchItemFailures).toEqual([]);
    expect(dead[0]).toMatchObject({
      messageId: 'm',
      receiveCount: 5,
      reason: 'gave up after 5 attempts: Error: DynamoDB unavailable',
    });
  });

  it('fails the record when even the dead-letter queue cannot be reached (the redrive policy takes over)', async () => {
    const handler = createSqsJobHandler({
      run: async () => {
        throw new PermanentJobError('bad job');
      },
      deadLetters: {
        send: async () => {
          throw new Error('SQS unreachable');
        },
      },
      delay: async () => {},
      log: SILENT_LOG,
      maxReceives: 5,
    });
    expect((await handler({ Records: [record('m', {})] }, lambdaContext())).batchItemFailures).toEqual([
      { itemIdentifier: 'm' },
    ]);
  });
});
