/**
 * The file-hash table in DynamoDB: one item per (index, path) — `{ repo, path, hash, chunks, indexedAt }` —
 * where `hash` is the git blob id. A sync reads an index's items with one paginated Query; a push looks up
 * only its paths.
 *
 * `applyChanges` uses BatchWriteItem, so a large change set is recorded in several requests, not atomically.
 * That is safe by construction: hashes are recorded only after the chunk commit, a path whose record is
 * missing or stale is simply fetched again by the next run, and a failed job is redelivered, which repeats
 * the whole (idempotent) step.
 *
 * With a `generation` the partition key is `<generation>#<index>` (see generation-keys.ts): the records
 * describe one generation's chunk table, and a new model must start from none.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FileHashLookup } from '#engine/pipeline/ports.ts';
import { canonicalRepoName } from '#engine/search/filters.ts';
import type { FileHashStore, FileRecord } from '#engine/types.ts';
import { batchGet, batchWrite, type DocumentClient } from './dynamo-batches.ts';
import { generationKey } from './generation-keys.ts';

const PROJECTION = {
  expression: '#p, #h, #c, #t',
  names: { '#p': 'path', '#h': 'hash', '#c': 'chunks', '#t': 'indexedAt' },
};

export class DynamoFileHashStore implements FileHashStore, FileHashLookup {
  readonly #client: DocumentClient;
  readonly #table: string;
  readonly #generation: string | undefined;

  /** @param options.generation the index generation whose records these are. @default none: bare index names */
  constructor(client: DocumentClient, tableName: string, options: { generation?: string } = {}) {
    this.#client = client;
    this.#table = tableName;
    this.#generation = options.generation;
  }

  /** The canonical spelling (`canonicalRepoName`), whatever a caller passes: one item per repository. */
  #key(repo: string): string {
    return generationKey(this.#generation, canonicalRepoName(repo));
  }

  async listFiles(repo: string): Promise<Map<string, FileRecord>> {
    const files = new Map<string, FileRecord>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#r = :r',
          ExpressionAttributeNames: { '#r': 'repo', ...PROJECTION.names },
          ExpressionAttributeValues: { ':r': this.#key(repo) },
          ProjectionExpression: PROJECTION.expression,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const record = toRecord(item);
        files.set(record.path, record);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return files;
  }

  async getFiles(repo: string, paths: readonly string[]): Promise<Map<string, FileRecord>> {
    const unique = [...new Set(paths)]; // BatchGetItem refuses duplicate keys
    const items = await batchGet(
      this.#client,
      this.#table,
      unique.map((path) => ({ repo: this.#key(repo), path })),
      PROJECTION,
    );
    return new Map(items.map((item) => [String(item.path), toRecord(item)]));
  }

  async applyChanges(
    repo: string,
    upserts: readonly FileRecord[],
    deletedPaths: readonly string[],
  ): Promise<void> {
    const key = this.#key(repo);
    const upserted = new Set(upserts.map((record) => record.path));
    await batchWrite(this.#client, this.#table, [
      ...upserts.map((record) => ({
        PutRequest: {
          Item: {
            repo: key,
            path: record.path,
            hash: record.hash,
            chunks: record.chunkCount,
            indexedAt: record.indexedAt,
          },
        },
      })),
      // A batch may not touch one key twice; an upsert wins over a deletion of the same path.
      ...[...new Set(deletedPaths)]
        .filter((path) => !upserted.has(path))
        .map((path) => ({ DeleteRequest: { Key: { repo: key, path } } })),
    ]);
  }
}

function toRecord(item: Record<string, unknown>): FileRecord {
  return {
    path: String(item.path),
    hash: String(item.hash),
    chunkCount: Number(item.chunks ?? 0),
    indexedAt: String(item.indexedAt ?? ''),
  };
}
