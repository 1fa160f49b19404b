/**
 * The repositories the webhook accepts pushes for: `{ repo: "owner/name", branches?: ["release"] }`. The
 * default branch is always indexed; `branches` adds more (each its own index, `owner/name@branch`).
 * Registrations come from the admin routes (`PUT` and `DELETE /repos/{repo}`, through `put` and `unregister`)
 * and from a GitHub App's installation events (`register`, which keeps an existing entry's branches); the
 * webhook's CODESEARCH_ALLOWED_OWNERS accepts whole owners besides.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { RepoEnrolment, RepoRegistration, RepoRegistry } from '#engine/repo-catalog.ts';
import type { DocumentClient } from './dynamo-batches.ts';

export class DynamoRepoRegistry implements RepoRegistry, RepoEnrolment {
  readonly #client: DocumentClient;
  readonly #table: string;

  constructor(client: DocumentClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async lookup(repo: string): Promise<RepoRegistration | undefined> {
    // Repository names are case-insensitive on GitHub; registrations are stored in lower case.
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { repo: repo.toLowerCase() } }),
    );
    return Item ? toRegistration(Item) : undefined;
  }

  /** Registers `repo` unless it is registered already (an operator's entry keeps its branches). */
  async register(repo: string): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { repo: repo.toLowerCase() },
          ConditionExpression: 'attribute_not_exists(#repo)',
          ExpressionAttributeNames: { '#repo': 'repo' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async put(repo: string, branches: readonly string[]): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: { repo: repo.toLowerCase(), ...(branches.length > 0 ? { branches: new Set(branches) } : {}) },
      }),
    );
  }

  async unregister(repo: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#table, Key: { repo: repo.toLowerCase() } }));
  }

  /** Every registered repository (upkeep queues the ones not indexed yet; one item each, a small scan). */
  async list(): Promise<(RepoRegistration & { repo: string })[]> {
    const registrations: (RepoRegistration & { repo: string })[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({ TableName: this.#table, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? [])
        registrations.push({ repo: String(item.repo), ...toRegistration(item) });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return registrations;
  }
}

function toRegistration(item: Record<string, unknown>): RepoRegistration {
  const branches =
    item.branches instanceof Set ? [...item.branches] : ((item.branches as string[] | undefined) ?? []);
  return { branches: branches.map(String) };
}
