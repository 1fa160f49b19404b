/**
 * BatchGetItem and BatchWriteItem in DynamoDB's limits (100 keys per get, 25 writes per write), retrying
 * the "unprocessed" part with backoff and jitter as AWS asks: a throttled batch is not an error, it is a
 * partial success. The SDK's own retries handle whole-request failures.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CodeSearchError } from '#engine/errors.ts';

const MAX_GET_KEYS = 100;
const MAX_WRITE_ITEMS = 25;
const MAX_ROUNDS = 8;

export type DocumentClient = Pick<DynamoDBDocumentClient, 'send'>;
type Item = Record<string, unknown>;
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

export class DynamoBatchError extends CodeSearchError {}

export async function batchGet(
  client: DocumentClient,
  table: string,
  keys: readonly Item[],
  projection?: { expression: string; names: Record<string, string> },
): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < keys.length; start += MAX_GET_KEYS) {
    let pending: Item[] = keys.slice(start, start + MAX_GET_KEYS);
    for (let round = 1; pending.length > 0; round++) {
      if (round > MAX_ROUNDS)
        throw new DynamoBatchError(`${table}: ${pending.length} keys unprocessed after ${MAX_ROUNDS} rounds`);
      if (round > 1) await pause(round);
      const result = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ...(projection
                ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }
                : {}),
            },
          },
        }),
      );
      items.push(...((result.Responses?.[table] as Item[] | undefined) ?? []));
      pending = (result.UnprocessedKeys?.[table]?.Keys as Item[] | undefined) ?? [];
    }
  }
  return items;
}

export async function batchWrite(
  client: DocumentClient,
  table: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (let start = 0; start < requests.length; start += MAX_WRITE_ITEMS) {
    let pending = requests.slice(start, start + MAX_WRITE_ITEMS) as WriteRequest[];
    for (let round = 1; pending.length > 0; round++) {
      if (round > MAX_ROUNDS)
        throw new DynamoBatchError(
          `${table}: ${pending.length} writes unprocessed after ${MAX_ROUNDS} rounds`,
        );
      if (round > 1) await pause(round);
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (result.UnprocessedItems?.[table] as WriteRequest[] | undefined) ?? [];
    }
  }
}

/** Full-jitter backoff between rounds: up to 50 ms, 100 ms, 200 ms … capped at 2 s. */
function pause(round: number): Promise<void> {
  const bound = Math.min(2_000, 25 * 2 ** (round - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * bound));
}
