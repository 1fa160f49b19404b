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
 *
 * With a `generation`, keys are `<generation>#<index>` (see generation-keys.ts): the searchable commit, claims
 * and sync progress describe one generation's chunk table, so a new model starts with no state at all and its
 * first job for each index is a full sync. Items of other generations are only read (`listOtherGenerations`),
 * beside the rebuild markers upkeep writes (`requestRebuild`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexState, IndexStateStore, SyncProgress, WriterLease } from '#engine/pipeline/ports.ts';
import { canonicalRepoName } from '#engine/search/filters.ts';
import { redactor } from '#engine/secret-redaction.ts';
import type { DocumentClient } from './dynamo-batches.ts';
import { generationKey, parseGenerationKey, rebuildMarkerKey } from './generation-keys.ts';

const MAX_ERRORS = 5;

export class DynamoIndexStateStore implements IndexStateStore {
  readonly #client: DocumentClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #generation: string | undefined;

  /** @param options.generation the index generation this state describes. @default none: bare index names */
  constructor(
    client: DocumentClient,
    tableName: string,
    options: { now?: () => number; generation?: string } = {},
  ) {
    this.#client = client;
    this.#table = tableName;
    this.#now = options.now ?? Date.now;
    this.#generation = options.generation;
  }

  /** The canonical spelling (`canonicalRepoName`), whatever a caller passes: one item per index. */
  #key(index: string): { indexName: string } {
    return { indexName: generationKey(this.#generation, canonicalRepoName(index)) };
  }

  async get(index: string): Promise<IndexState | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: this.#key(index), ConsistentRead: true }),
    );
    return Item ? toState({ ...Item, indexName: canonicalRepoName(index) }) : undefined;
  }

  /** Every index's state in this generation (one item per index and generation: a scan stays small). */
  async list(): Promise<IndexState[]> {
    return (await this.#scan()).filter((state) => state.generation === this.#generation);
  }

  /**
   * The states other generations (and items from before generations) hold, newest publication first: what
   * upkeep rebuilds in this one, and what `GET /repos` shows as waiting for it.
   */
  async listOtherGenerations(): Promise<IndexState[]> {
    return (await this.#scan())
      .filter((state) => state.generation !== this.#generation)
      .sort((a, b) => (b.indexedAt ?? '').localeCompare(a.indexedAt ?? ''));
  }

  /**
   * Records that a rebuild of `index` was queued in this generation, unless one was recorded within
   * `retryAfterMs` (one conditional put): true when the caller should queue it. The marker covers the time a
   * job waits on the queue before it claims the index; after that the claim shows it is under way.
   */
  async requestRebuild(index: string, options: { retryAfterMs: number }): Promise<boolean> {
    const now = this.#now();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { indexName: rebuildMarkerKey(this.#generation, index), requestedAt: now },
          ConditionExpression: 'attribute_not_exists(#requestedAt) OR #requestedAt < :retryBefore',
          ExpressionAttributeNames: { '#requestedAt': 'requestedAt' },
          ExpressionAttributeValues: { ':retryBefore': now - options.retryAfterMs },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Every index item of every generation, with its generation (rebuild markers left out). */
  async #scan(): Promise<(IndexState & { generation?: string })[]> {
    const states: (IndexState & { generation?: string })[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({ TableName: this.#table, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        const key = parseGenerationKey(String(item.indexName));
        if (key) states.push({ ...toState({ ...item, indexName: key.index }), generation: key.generation });
      }
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
          Key: this.#key(index),
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
      return Attributes ? toState({ ...Attributes, indexName: index }).sync : undefined;
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
    // Shown by GET /repos to everyone who may search the repository: no secret may be in it.
    const entry = `${new Date(this.#now()).toISOString()} ${redactor.redact(message).slice(0, 500)}`;
    const errors = [entry, ...(current?.errors ?? [])].slice(0, MAX_ERRORS);
    if (current) {
      await this.#update(index, {
        UpdateExpression: 'SET #errors = :errors',
        ExpressionAttributeNames: { '#errors': 'errors' },
        ExpressionAttributeValues: { ':errors': errors },
      });
    } else {
      await this.#client.send(
        new PutCommand({ TableName: this.#table, Item: { ...this.#key(index), errors, writers: {} } }),
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
      await this.#client.send(new UpdateCommand({ TableName: this.#table, Key: this.#key(index), ...input }));
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
