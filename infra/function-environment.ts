/**
 * The environment variables the stack sets on its functions, by the names the functions read them under:
 * both come from the one contract (src/adapters/aws/environment-contract.ts). Resource names, URLs and
 * secret ARNs — never a secret's value. The bind methods of the constructs set each one together with the
 * IAM grant it goes with.
 */
import { ENVIRONMENT, type Variable } from '#adapters/aws/environment-contract.ts';
import type { TableName } from '#adapters/aws/table-shapes.ts';

/** Each variable's name, by its key in the contract. */
export const FUNCTION_ENV = Object.fromEntries(
  Object.entries(ENVIRONMENT).map(([key, entry]) => [key, entry.name]),
) as { readonly [K in Variable]: (typeof ENVIRONMENT)[K]['name'] };

/** The variable naming each DynamoDB table (shapes in src/adapters/aws/table-shapes.ts). */
export const TABLE_ENV: Readonly<Record<TableName, string>> = {
  fileHashes: FUNCTION_ENV.fileHashesTable,
  embeddingCache: FUNCTION_ENV.embeddingCacheTable,
  indexState: FUNCTION_ENV.indexStateTable,
  repositories: FUNCTION_ENV.repositoriesTable,
  webhookDeliveries: FUNCTION_ENV.webhookDeliveriesTable,
  queryCache: FUNCTION_ENV.queryCacheTable,
};
