/**
 * The DynamoDB tables of push-driven indexing: key attributes and TTL attributes, in one place so that the
 * CDK stack, the adapters and the emulator tests cannot disagree. All tables are on-demand (PAY_PER_REQUEST);
 * item layouts are documented beside each adapter.
 */

export interface TableShape {
  readonly partitionKey: { readonly name: string; readonly type: 'S' };
  readonly sortKey?: { readonly name: string; readonly type: 'S' };
  /** Epoch-seconds attribute DynamoDB's TTL deletes by. */
  readonly timeToLiveAttribute?: string;
}

export const TABLE_SHAPES = {
  /** Per (index, path): the blob id indexed and its chunk count. Adapter: dynamo-file-hash-store.ts. */
  fileHashes: { partitionKey: { name: 'repo', type: 'S' }, sortKey: { name: 'path', type: 'S' } },
  /** Vectors by content-addressed key, expiring when unused for a while. Adapter: dynamo-embedding-cache.ts. */
  embeddingCache: { partitionKey: { name: 'key', type: 'S' }, timeToLiveAttribute: 'expiresAt' },
  /** Per index: searchable commit, newest accepted job, writer leases, sync progress. Adapter: dynamo-index-state.ts. */
  indexState: { partitionKey: { name: 'indexName', type: 'S' } },
  /** Repositories the webhook accepts, with extra branches to index. Adapter: dynamo-repo-registry.ts. */
  repositories: { partitionKey: { name: 'repo', type: 'S' } },
  /** Powertools idempotency records, one per X-GitHub-Delivery (its default attribute names). */
  webhookDeliveries: { partitionKey: { name: 'id', type: 'S' }, timeToLiveAttribute: 'expiration' },
  /**
   * Shared search-result cache for the search API (value: the JSON response, key: a hash of the normalised
   * request, grant and index data version), for when per-container caches are not enough.
   */
  queryCache: { partitionKey: { name: 'key', type: 'S' }, timeToLiveAttribute: 'expiresAt' },
} as const satisfies Record<string, TableShape>;

export type TableName = keyof typeof TABLE_SHAPES;

/** A CreateTable request for a shape (emulator tests; the stack declares the same keys in CDK). */
export function createTableRequest(tableName: string, shape: TableShape) {
  const keys = [shape.partitionKey, ...(shape.sortKey ? [shape.sortKey] : [])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    KeySchema: keys.map((key, i) => ({
      AttributeName: key.name,
      KeyType: i === 0 ? ('HASH' as const) : ('RANGE' as const),
    })),
  };
}
