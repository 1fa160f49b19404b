/**
 * Per-index state in DynamoDB, one item per index, every change one conditional UpdateItem (see
 * IndexStateStore for the protocol). Item layout:
 *
 * | attribute                    | meaning                                                                  |
 * | ---------------------------- | ------------------------------------------------------------------------ |
 * | indexName (key), repo, branch | the index, and the GitHub repository and branch it is built from        |
 * | commitSha, seq, indexedAt    | the searchable commit, its ordering key, when it was published           |
 * | targetSeq, targetCommit      | the newest job accepted; older jobs give way to it                        |
 * | writers                      | map writerId → { seq, until }: jobs currently allowed to commit           |
 * | syncId, syncSeq, syncCommit, syncBatches, syncDone, syncQueued | the current sync, the batch numbers done (a number set), whether all its batches were queued |
 * | files                        | indexable files at the last full comparison                               |
 * | errors                       | the last few permanent failures, newest first                              |
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexState, IndexStateStore, SyncProgress, WriterLease } from '#engine/pipeline/ports.ts';
import type { DocumentClient } from './dynamo-batches.ts';

const MAX_ERRORS = 5;

export class DynamoIndexStateStore implements IndexStateStore {
  readonly #client: DocumentClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(client: DocumentClient, tableName: string, options: { now?: () => number } = {}) {
    this.#client = client;
    this.#table = tableName;
    this.#now = options.now ?? Date.now;
  }

  async get(index: string): Promise<IndexState | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { indexName: index }, ConsistentRead: true }),
    );
    return Item ? toState(Item) : undefined;
  }

  /** Every index's state (one item per index: a scan stays small). */
  async list(): Promise<IndexState[]> {
    const states: IndexState[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({ TableName: this.#table, ExclusiveStartKey: startKey }),
      );
      states.push(...(page.Items ?? []).map(toState));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return states;
  }

  async claim(
    index: string,
    claim: { repo: string; branch: string; seq: number; commit: string; before?: string },
  ): Promise<'accepted' | 'superseded'> {
    const accepted = await this.#update(index, {
      UpdateExpression:
        'SET #repo = :repo, #branch = :branch, #targetSeq = :seq, #targetCommit = :commit, #writers = if_not_exists(#writers, :none), #updatedAt = :now',
      ConditionExpression:
        'attribute_not_exists(#targetSeq) OR #targetSeq < :seq OR (#targetSeq = :seq AND (#targetCommit = :commit OR #targetCommit = :before))',
      ExpressionAttributeNames: {
        '#repo': 'repo',
        '#branch': 'branch',
        '#targetSeq': 'targetSeq',
        '#targetCommit': 'targetCommit',
        '#writers': 'writers',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':repo': claim.repo,
        ':branch': claim.branch,
        ':seq': claim.seq,
        ':commit': claim.commit,
        ':before': claim.before ?? claim.commit,
        ':none': {},
        ':now': new Date(this.#now()).toISOString(),
      },
    });
    return accepted ? 'accepted' : 'superseded';
  }

  beginWrite(index: string, lease: WriterLease): Promise<boolean> {
    return this.#update(index, {
      UpdateExpression: 'SET #writers.#id = :lease',
      ConditionExpression: '#targetSeq = :seq',
      ExpressionAttributeNames: { '#writers': 'writers', '#id': lease.id, '#targetSeq': 'targetSeq' },
      ExpressionAttributeValues: { ':lease': { seq: lease.seq, until: lease.until }, ':seq': lease.seq },
    });
  }

  async endWrite(index: string, writerId: string): Promise<void> {
    await this.#update(index, {
      UpdateExpression: 'REMOVE #writers.#id',
      ConditionExpression: 'attribute_exists(#writers)',
      ExpressionAttributeNames: { '#writers': 'writers', '#id': writerId },
    });
  }

  startSync(
    index: string,
    sync: { id: string; seq: number; commit: string; batches: number; files: number },
  ): Promise<boolean> {
    return this.#update(index, {
      UpdateExpression:
        'SET #syncId = :id, #syncSeq = :seq, #syncCommit = :commit, #syncBatches = :batches, #files = :files REMOVE #syncDone, #syncQueued',
      ConditionExpression: '#targetSeq = :seq',
      ExpressionAttributeNames: {
        '#syncId': 'syncId',
        '#syncSeq': 'syncSeq',
        '#syncCommit': 'syncCommit',
        '#syncBatches': 'syncBatches',
        '#files': 'files',
        '#syncDone': 'syncDone',
        '#syncQueued': 'syncQueued',
        '#targetSeq': 'targetSeq',
      },
      ExpressionAttributeValues: {
        ':id': sync.id,
        ':seq': sync.seq,
        ':commit': sync.commit,
        ':batches': sync.batches,
        ':files': sync.files,
      },
    });
  }

  async markSyncQueued(index: string, sync: { id: string; seq: number }): Promise<void> {
    await this.#update(index, {
      UpdateExpression: 'SET #syncQueued = :true',
      ConditionExpression: '#syncId = :id AND #targetSeq = :seq',
      ExpressionAttributeNames: {
        '#syncQueued': 'syncQueued',
        '#syncId': 'syncId',
        '#targetSeq': 'targetSeq',
      },
      ExpressionAttributeValues: { ':true': true, ':id': sync.id, ':seq': sync.seq },
    });
  }

  async finishBatch(
    index: string,
    sync: { id: string; seq: number; batch: number },
  ): Promise<SyncProgress | undefined> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { indexName: index },
          // ADD to a set is idempotent: a redelivered batch is not counted twice.
          UpdateExpression: 'ADD #syncDone :batch',
          ConditionExpression: '#syncId = :id AND #targetSeq = :seq',
          ExpressionAttributeNames: {
            '#syncDone': 'syncDone',
            '#syncId': 'syncId',
            '#targetSeq': 'targetSeq',
          },
          ExpressionAttributeValues: { ':batch': new Set([sync.batch]), ':id': sync.id, ':seq': sync.seq },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toState(Attributes).sync : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  publish(index: string, published: { seq: number; commit: string }): Promise<boolean> {
    return this.#update(index, {
      UpdateExpression: 'SET #commit = :commit, #seq = :seq, #indexedAt = :now',
      ConditionExpression: '#targetSeq = :seq AND (attribute_not_exists(#seq) OR #seq <= :seq)',
      ExpressionAttributeNames: {
        '#commit': 'commitSha',
        '#seq': 'seq',
        '#indexedAt': 'indexedAt',
        '#targetSeq': 'targetSeq',
      },
      ExpressionAttributeValues: {
        ':commit': published.commit,
        ':seq': published.seq,
        ':now': new Date(this.#now()).toISOString(),
      },
    });
  }

  async recordError(index: string, message: string): Promise<void> {
    // Informational, so a read-modify-write that may lose a concurrent message is acceptable.
    const current = await this.get(index);
    const entry = `${new Date(this.#now()).toISOString()} ${message.slice(0, 500)}`;
    const errors = [entry, ...(current?.errors ?? [])].slice(0, MAX_ERRORS);
    if (current) {
      await this.#update(index, {
        UpdateExpression: 'SET #errors = :errors',
        ExpressionAttributeNames: { '#errors': 'errors' },
        ExpressionAttributeValues: { ':errors': errors },
      });
    } else {
      await this.#client.send(
        new PutCommand({ TableName: this.#table, Item: { indexName: index, errors, writers: {} } }),
      );
    }
  }

  /** One conditional update; false when the condition did not hold. */
  async #update(
    index: string,
    input: {
      UpdateExpression: string;
      ConditionExpression?: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
    },
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({ TableName: this.#table, Key: { indexName: index }, ...input }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function toState(item: Record<string, unknown>): IndexState {
  const writers = (item.writers ?? {}) as Record<string, { seq: number; until: number }>;
  const done = item.syncDone instanceof Set ? item.syncDone.size : 0;
  return {
    index: String(item.indexName),
    repo: item.repo as string | undefined,
    branch: item.branch as string | undefined,
    commit: item.commitSha as string | undefined,
    seq: item.seq as number | undefined,
    indexedAt: item.indexedAt as string | undefined,
    files: item.files as number | undefined,
    target:
      item.targetSeq === undefined
        ? undefined
        : { seq: Number(item.targetSeq), commit: item.targetCommit as string | undefined },
    writers: Object.entries(writers).map(([id, lease]) => ({
      id,
      seq: Number(lease.seq),
      until: Number(lease.until),
    })),
    sync:
      item.syncId === undefined
        ? undefined
        : {
            id: String(item.syncId),
            seq: Number(item.syncSeq),
            commit: String(item.syncCommit),
            batches: Number(item.syncBatches),
            done,
            queued: item.syncQueued === true,
          },
    errors: (item.errors as string[] | undefined) ?? [],
  };
}
