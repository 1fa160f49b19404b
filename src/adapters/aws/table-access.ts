/**
 * The DynamoDB calls each adapter makes, as IAM action names: the stack grants a function exactly the
 * actions of the adapters it runs (least privilege), and test/pipeline/granted-calls.test.ts runs the
 * functions against the emulators to check that nothing they call is missing. Change an adapter's calls,
 * change its line here.
 */

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:BatchWriteItem';

export const TABLE_ACCESS = {
  /** DynamoRepoRegistry: one GetItem per delivery. */
  repoRegistry: ['dynamodb:GetItem'],
  /** DynamoRepoRegistry.register/unregister (the webhook, for a GitHub App's installation events). */
  repoRegistryWrite: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  /** DynamoRepoRegistry.list (upkeep's rebuilds after a model change): every registration. */
  repoRegistryList: ['dynamodb:Scan'],
  /** Powertools idempotency (delivery-once.ts): conditional put, read, complete, delete after a failure. */
  deliveryLog: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  /** DynamoFileHashStore: Query to list an index, batches to look up and record. */
  fileHashStore: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
  /** DynamoEmbeddingCache: batches only. */
  embeddingCache: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
  /** DynamoIndexStateStore as the workers use it: consistent reads, conditional updates, error records. */
  indexStateWriter: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
  /** IndexStateCatalog (the search API): every index's state, and one to re-index. */
  indexStateReader: ['dynamodb:GetItem', 'dynamodb:Scan'],
  /** queueMissingIndexes (upkeep, after a model change): every generation's states, conditional rebuild markers. */
  indexStateRebuilds: ['dynamodb:Scan', 'dynamodb:PutItem'],
  /** DynamoResultCache (the search API's shared result cache): one GetItem per lookup, one PutItem per miss. */
  queryCache: ['dynamodb:GetItem', 'dynamodb:PutItem'],
} as const satisfies Record<string, readonly TableAction[]>;

export type TableAccess = keyof typeof TABLE_ACCESS;
