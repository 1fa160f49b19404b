/**
 * The search API's result cache in DynamoDB, shared by every container of the search function:
 * `{ key, value, expiresAt }`, one item per cache key, the value as gzip-compressed JSON (a Binary attribute;
 * result pages are repetitive text and shrink several times over), `expiresAt` in epoch seconds for
 * DynamoDB's TTL. A cache must never fail a request, so every fault here is logged and becomes a miss (get)
 * or is dropped (set); a value too large for one item is not stored at all.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ResultCache } from '#engine/repo-catalog.ts';
import type { DocumentClient } from './dynamo-batches.ts';
import { TABLE_SHAPES } from './table-shapes.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const KEY = TABLE_SHAPES.queryCache.partitionKey.name;
const EXPIRES_AT = TABLE_SHAPES.queryCache.timeToLiveAttribute;
const VALUE = 'value';

/** DynamoDB's item size limit: attribute names and values together. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** A number attribute takes at most 21 bytes; an epoch-seconds value fewer, so this is an upper bound. */
const NUMBER_BYTES = 21;

/** Where faults go: the function's logger (Powertools' `warn(message, attributes)` fits). */
export interface ResultCacheLog {
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface DynamoResultCacheOptions {
  /** How long an entry lives after it was written. @default 60 */
  readonly ttlSeconds?: number;
  readonly now?: () => number;
  /**
   * Longest wait for one cache call before it counts as a fault: a slow table must not slow every search by
   * the SDK's retries. @default 500
   */
  readonly timeoutMs?: number;
  /** @default faults go unreported */
  readonly log?: ResultCacheLog;
}

export class DynamoResultCache implements ResultCache {
  readonly #client: DocumentClient;
  readonly #table: string;
  readonly #ttlSeconds: number;
  readonly #now: () => number;
  readonly #log: ResultCacheLog | undefined;
  readonly #timeoutMs: number;

  constructor(client: DocumentClient, tableName: string, options: DynamoResultCacheOptions = {}) {
    this.#client = client;
    this.#table = tableName;
    this.#ttlSeconds = options.ttlSeconds ?? 60;
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
    this.#timeoutMs = options.timeoutMs ?? 500;
  }

  async get(key: string): Promise<unknown | undefined> {
    try {
      // Eventually consistent: half the price, and a cache may miss a value written a moment ago.
      const { Item } = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: { [KEY]: key },
          ProjectionExpression: '#v, #e',
          ExpressionAttributeNames: { '#v': VALUE, '#e': EXPIRES_AT },
        }),
        { abortSignal: AbortSignal.timeout(this.#timeoutMs) },
      );
      // DynamoDB's TTL deletes some time after expiry (up to days): an expired item is still a miss.
      if (!Item || !(Number(Item[EXPIRES_AT]) * 1000 > this.#now())) return undefined;
      const body = Item[VALUE];
      if (!(body instanceof Uint8Array)) throw new TypeError(`${VALUE} is not a Binary attribute`);
      return JSON.parse((await gunzipAsync(body)).toString('utf8')) as unknown;
    } catch (error) {
      this.#warn('query cache read failed, treated as a miss', error);
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    try {
      const json = JSON.stringify(value);
      if (json === undefined) return; // undefined is how a miss looks: there is nothing to store
      const body = await gzipAsync(json);
      const bytes = itemBytes(key, body.byteLength);
      if (bytes > MAX_ITEM_BYTES) {
        this.#log?.warn('query cache item too large, not stored', { table: this.#table, bytes });
        return;
      }
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            [KEY]: key,
            [VALUE]: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
            [EXPIRES_AT]: Math.floor(this.#now() / 1000) + this.#ttlSeconds,
          },
        }),
        { abortSignal: AbortSignal.timeout(this.#timeoutMs) },
      );
    } catch (error) {
      this.#warn('query cache write failed, not stored', error);
    }
  }

  #warn(message: string, error: unknown): void {
    this.#log?.warn(message, {
      table: this.#table,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

/** An item's size as DynamoDB counts it: UTF-8 names and string values, binary bytes, numbers ≤ 21 bytes. */
function itemBytes(key: string, valueBytes: number): number {
  return (
    Buffer.byteLength(KEY) +
    Buffer.byteLength(key) +
    Buffer.byteLength(VALUE) +
    valueBytes +
    Buffer.byteLength(EXPIRES_AT) +
    NUMBER_BYTES
  );
}
