/**
 * "At most once per push" with Powertools idempotency over DynamoDB: the first call for a key (the push's
 * identity from its signed fields, see `pushKey`) writes an INPROGRESS record conditionally, runs the work,
 * and stores its reply; a redelivery (GitHub's "Redeliver" button, a retry after a timeout) or a replay under
 * a fresh delivery id gets that stored reply back without running the work. If the work throws, the record
 * is deleted so that the next delivery tries again. Records expire through TTL.
 *
 * The Lambda context must be registered per invocation: Powertools then lets an INPROGRESS record of a
 * function that timed out expire with it, instead of blocking redeliveries for the whole TTL.
 */

import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { WebhookDeps, WebhookReply } from '#adapters/github/webhook-receiver.ts';

export interface DeliveryOnce {
  readonly deliverOnce: WebhookDeps['deliverOnce'];
  registerContext(context: Context): void;
}

const REPLAYED = '__replayed';

export function powertoolsDeliveryOnce(options: {
  client: DynamoDBClient;
  tableName: string;
  /** How long a push is remembered. @default 7 days (GitHub lets you redeliver for 3) */
  ttlSeconds?: number;
}): DeliveryOnce {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: options.ttlSeconds ?? 7 * 24 * 3600,
    // Only called when a stored reply is returned instead of running the work.
    responseHook: (response) => ({ ...(response as Record<string, unknown>), [REPLAYED]: true }),
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
  });
  const once = makeIdempotent(
    async (_delivery: { key: string }, work: () => Promise<WebhookReply>) => ({ ...(await work()) }),
    { persistenceStore, config, keyPrefix: 'github-push', dataIndexArgument: 0 },
  );
  return {
    registerContext: (context) => config.registerLambdaContext(context),
    async deliverOnce(key, work) {
      try {
        const result = (await once({ key }, work)) as WebhookReply & { [REPLAYED]?: boolean };
        const { [REPLAYED]: replayed, ...reply } = result;
        return { reply: reply as WebhookReply, replayed: replayed === true };
      } catch (error) {
        // Two deliveries of one event at once: the other one is enqueueing it. 409 lets GitHub show the
        // overlap; if the other one fails, a redelivery will run the work.
        if (error instanceof IdempotencyAlreadyInProgressError)
          return {
            reply: { status: 409, body: { message: 'this delivery is being processed' } },
            replayed: true,
          };
        throw error;
      }
    },
  };
}
