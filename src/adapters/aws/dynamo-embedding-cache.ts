/**
 * The embedding cache in DynamoDB: `{ key, vector, expiresAt }`, one item per content-addressed key (model,
 * chunker, text), the vector as little-endian float32 bytes (1.5 KB at 384 dimensions). Shared by every worker
 * and every repository: a chunk embedded once is never embedded again while its item lives. Items expire
 * through DynamoDB TTL some time after they were last written, so vectors of long-gone code do not pile up.
 */
import type { EmbeddingCache } from '#engine/types.ts';
import { batchGet, batchWrite, type DocumentClient } from './dynamo-batches.ts';

export interface DynamoEmbeddingCacheOptions {
  /** How long an entry lives after it was written. @default 90 days */
  readonly ttlSeconds?: number;
  readonly now?: () => number;
}

export class DynamoEmbeddingCache implements EmbeddingCache {
  readonly #client: DocumentClient;
  readonly #table: string;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(client: DocumentClient, tableName: string, options: DynamoEmbeddingCacheOptions = {}) {
    this.#client = client;
    this.#table = tableName;
    this.#ttlSeconds = options.ttlSeconds ?? 90 * 24 * 3600;
    this.#now = options.now ?? Date.now;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Float32Array>> {
    const items = await batchGet(
      this.#client,
      this.#table,
      [...new Set(keys)].map((key) => ({ key })),
      { expression: '#k, #v', names: { '#k': 'key', '#v': 'vector' } },
    );
    // An item that is not whole floats is damaged: not found, so it is embedded again.
    return new Map(
      items
        .filter((item) => item.vector instanceof Uint8Array && item.vector.byteLength % 4 === 0)
        .map((item) => [String(item.key), toVector(item.vector as Uint8Array)]),
    );
  }

  async putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    const expiresAt = Math.floor(this.#now() / 1000) + this.#ttlSeconds;
    const unique = new Map(entries);
    await batchWrite(
      this.#client,
      this.#table,
      [...unique].map(([key, vector]) => ({
        PutRequest: {
          Item: {
            key,
            vector: new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength),
            expiresAt,
          },
        },
      })),
    );
  }
}

/** Copies the bytes: a Float32Array needs 4-byte alignment, which a view into a response buffer may lack. */
function toVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
