/**
 * The AWS adapters against emulators (dynalite, the SQS and Secrets Manager emulators): DynamoDB stores beyond
 * one batch, the index-state protocol that keeps "newest push wins" true, the SQS queue, cached secrets.
 */

import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEmbeddingCache } from '#adapters/aws/dynamo-embedding-cache.ts';
import { DynamoFileHashStore } from '#adapters/aws/dynamo-file-hash-store.ts';
import { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { secretsManagerSecret } from '#adapters/aws/secrets-manager-secret.ts';
import { QueueSendError, SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { signWebhookBody, verifyWebhookSignature } from '#adapters/github/webhook-signature.ts';
import { ConflictError, NotFoundError } from '#engine/errors.ts';
import { cachedSecret } from '#engine/pipeline/cached-secret.ts';
import { waitForOlderWriters } from '#engine/pipeline/commit-files.ts';
import type { Job } from '#engine/pipeline/jobs.ts';
import { DEFAULT_PIPELINE_SETTINGS, type PipelineDeps } from '#engine/pipeline/pipeline-deps.ts';
import { SILENT_LOG } from '#engine/pipeline/ports.ts';
import { JOB_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const C3 = '3'.repeat(40);

describe('AWS adapters', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld();
  });
  afterAll(() => world?.close());

  it('file-hash store: lists, looks up and changes more than one batch of paths', async () => {
    const store = new DynamoFileHashStore(world.clients.documents, world.dynamo.tables.fileHashes);
    const records = Array.from({ length: 260 }, (_, i) => ({
      path: `src/f${i}.ts`,
      hash: `h${i}`,
      chunkCount: i % 4,
      indexedAt: 't',
    }));
    await store.applyChanges('o/r', records, []);
    await store.applyChanges(
      'o/other',
      [{ path: 'src/f1.ts', hash: 'x', chunkCount: 1, indexedAt: 't' }],
      [],
    );
    expect((await store.listFiles('o/r')).size).toBe(260);
    const found = await store.getFiles('o/r', [...records.map((r) => r.path), 'src/f1.ts', 'missing.ts']);
    expect(found.size).toBe(260);
    expect(found.get('src/f7.ts')).toEqual(records[7]);
    await store.applyChanges(
      'o/r',
      [{ ...records[0], hash: 'new' } as (typeof records)[0]],
      records.slice(0, 200).map((r) => r.path),
    );
    const after = await store.listFiles('o/r');
    expect(after.size).toBe(61);
    expect(after.get('src/f0.ts')?.hash).toBe('new'); // an upsert wins over a deletion in the same change
  });

  it('embedding cache: round-trips vectors exactly, shared across instances', async () => {
    const cache = new DynamoEmbeddingCache(world.clients.documents, world.dynamo.tables.embeddingCache);
    const entries = Array.from(
      { length: 130 },
      (_, i) => [`k${i}`, Float32Array.from([i, -i / 3, Math.PI, 1e-7])] as const,
    );
    await cache.putMany(entries);
    const other = new DynamoEmbeddingCache(world.clients.documents, world.dynamo.tables.embeddingCache);
    const got = await other.getMany([...entries.map(([key]) => key), 'k5', 'absent']);
    expect(got.size).toBe(130);
    expect([...(got.get('k42') ?? [])]).toEqual([...(entries[42]?.[1] ?? [])]);
  });

  describe('index state: newest wins under concurrency and redelivery', () => {
    const store = () => new DynamoIndexStateStore(world.clients.documents, world.dynamo.tables.indexState);

    it('accepts newer claims, redeliveries, and same-second successors; refuses older ones', async () => {
      const state = store();
      expect(await state.claim('i1', { repo: 'o/r', branch: 'main', seq: 2000, commit: C2 })).toBe(
        'accepted',
      );
      expect(await state.claim('i1', { repo: 'o/r', branch: 'main', seq: 2000, commit: C2 })).toBe(
        'accepted',
      ); // redelivery
      expect(await state.claim('i1', { repo: 'o/r', branch: 'main', seq: 1000, commit: C1 })).toBe(
        'superseded',
      ); // late
      expect(
        await state.claim('i1', { repo: 'o/r', branch: 'main', seq: 2000, commit: C3, before: C2 }),
      ).toBe('accepted'); // same second, follows
      expect(await state.claim('i1', { repo: 'o/r', branch: 'main', seq: 2000, commit: C2 })).toBe(
        'superseded',
      ); // now older
      expect((await state.get('i1'))?.target).toEqual({ seq: 2000, commit: C3 });
    });

    it('refuses writer leases of superseded jobs, and publishes only the current target', async () => {
      const state = store();
      await state.claim('i2', { repo: 'o/r', branch: 'main', seq: 1, commit: C1 });
      expect(await state.beginWrite('i2', { id: 'w1', seq: 1, until: Date.now() + 60_000 })).toBe(true);
      await state.claim('i2', { repo: 'o/r', branch: 'main', seq: 2, commit: C2 });
      expect(await state.beginWrite('i2', { id: 'w-late', seq: 1, until: Date.now() + 60_000 })).toBe(false);
      expect(await state.publish('i2', { seq: 1, commit: C1 })).toBe(false);
      expect((await state.get('i2'))?.writers.map((writer) => writer.id)).toEqual(['w1']);
      await state.endWrite('i2', 'w1');
      expect(await state.publish('i2', { seq: 2, commit: C2 })).toBe(true);
      expect(await state.get('i2')).toMatchObject({ commit: C2, seq: 2, writers: [] });
    });

    it('lets a newer job wait until older writers are done', async () => {
      const state = store();
      await state.claim('i3', { repo: 'o/r', branch: 'main', seq: 1, commit: C1 });
      await state.beginWrite('i3', { id: 'old-writer', seq: 1, until: Date.now() + 60_000 });
      await state.claim('i3', { repo: 'o/r', branch: 'main', seq: 2, commit: C2 });
      const deps = {
        state,
        log: SILENT_LOG,
        settings: { ...DEFAULT_PIPELINE_SETTINGS, writerPollMs: 20 },
      } as unknown as PipelineDeps;
      let waited = false;
      const waiting = waitForOlderWriters(deps, 'i3', 2).then(() => {
        waited = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(waited).toBe(false);
      await state.endWrite('i3', 'old-writer');
      await waiting;
      expect(waited).toBe(true);
      // An expired lease (its writer is gone) is not waited for.
      await state.beginWrite('i3', { id: 'dead-writer', seq: 2, until: Date.now() - 1 });
      await state.claim('i3', { repo: 'o/r', branch: 'main', seq: 3, commit: C3 });
      await waitForOlderWriters(deps, 'i3', 3);
    });

    it('counts each batch of the current sync once, and only of the current sync', async () => {
      const state = store();
      await state.claim('i4', { repo: 'o/r', branch: 'main', seq: 5, commit: C1 });
      expect(await state.startSync('i4', { id: 's1', seq: 5, commit: C1, batches: 2, files: 10 })).toBe(true);
      expect((await state.finishBatch('i4', { id: 's1', seq: 5, batch: 0 }))?.done).toBe(1);
      expect((await state.finishBatch('i4', { id: 's1', seq: 5, batch: 0 }))?.done).toBe(1); // redelivered
      expect(await state.finishBatch('i4', { id: 'other-plan', seq: 5, batch: 1 })).toBeUndefined();
      expect(await state.finishBatch('i4', { id: 's1', seq: 5, batch: 1 })).toMatchObject({
        done: 2,
        batches: 2,
      });
      await state.claim('i4', { repo: 'o/r', branch: 'main', seq: 6, commit: C2 });
      expect(await state.startSync('i4', { id: 's-old', seq: 5, commit: C1, batches: 1, files: 1 })).toBe(
        false,
      );
    });
  });

  it('index-state catalog: lists repositories with their status for the API, and queues re-indexing', async () => {
    const state = new DynamoIndexStateStore(world.clients.documents, world.dynamo.tables.indexState);
    const catalog = new IndexStateCatalog(
      state,
      new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string),
      {
        now: () => 42_000,
      },
    );
    await state.claim('cat/ready', { repo: 'cat/ready', branch: 'main', seq: 1, commit: C1 });
    await state.publish('cat/ready', { seq: 1, commit: C1 });
    await state.claim('cat/busy', { repo: 'cat/busy', branch: 'dev', seq: 1, commit: C1 });
    await state.recordError('cat/broken', 'GitHub refused the token (401)');
    const records = new Map((await catalog.listRepos()).map((record) => [record.repo, record]));
    expect(records.get('cat/ready')).toMatchObject({ commit: C1, status: 'ready', errors: [] });
    expect(records.get('cat/busy')).toMatchObject({ commit: null, status: 'indexing' });
    expect(records.get('cat/broken')?.status).toBe('failed');

    const before = world.sqs.peek(JOB_QUEUE).length;
    await catalog.reindex('cat/busy');
    expect(JSON.parse(world.sqs.peek(JOB_QUEUE)[before]?.body ?? '{}')).toEqual({
      kind: 'sync',
      repo: 'cat/busy',
      index: 'cat/busy',
      branch: 'dev',
      seq: 42_000,
      reason: 're-index requested',
    });
    await expect(catalog.reindex('cat/unknown')).rejects.toBeInstanceOf(NotFoundError);
    await expect(catalog.reindex('cat/broken')).rejects.toBeInstanceOf(ConflictError);
  });

  it('SQS queue: sends any number of jobs in batches of ten, and fails loudly on a refused entry', async () => {
    const queue = new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string);
    const before = world.sqs.peek(JOB_QUEUE).length;
    const jobs: Job[] = Array.from({ length: 23 }, (_, i) => ({
      kind: 'sync',
      repo: 'o/r',
      index: 'o/r',
      branch: 'main',
      seq: i,
      reason: `job ${i}`,
    }));
    await queue.send(jobs);
    const sent = world.sqs.peek(JOB_QUEUE).slice(before);
    expect(sent.map((message) => (JSON.parse(message.body) as Job & { reason: string }).reason)).toEqual(
      jobs.map((_, i) => `job ${i}`),
    );
    expect(sent[0]?.attributes).toMatchObject({
      kind: { StringValue: 'sync' },
      index: { StringValue: 'o/r' },
    });

    let calls = 0;
    const flaky = {
      send: async (command: SendMessageBatchCommand) => {
        calls++;
        const entries = command.input.Entries ?? [];
        // First call: SQS throttles one entry (a server fault); the retry must resend exactly that one.
        if (calls === 1)
          return {
            Successful: entries.slice(1).map((e) => ({ Id: e.Id })),
            Failed: [{ Id: entries[0]?.Id, SenderFault: false, Code: 'InternalError' }],
          };
        if (calls === 2) {
          expect(entries).toHaveLength(1);
          return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
        }
        return {
          Successful: [],
          Failed: [{ Id: entries[0]?.Id, SenderFault: true, Code: 'InvalidMessageContents' }],
        };
      },
    };
    await new SqsJobQueue(flaky as never, 'q').send(jobs.slice(0, 3));
    await expect(new SqsJobQueue(flaky as never, 'q').send(jobs.slice(0, 1))).rejects.toBeInstanceOf(
      QueueSendError,
    );
  });

  it('secrets: read from Secrets Manager once per expiry, JSON fields, re-read after invalidate', async () => {
    world.secrets.put('bundle', JSON.stringify({ token: 'ghp_abc', other: 1 }));
    let now = 0;
    const secret = cachedSecret(secretsManagerSecret(world.clients.secrets, 'bundle', { field: 'token' }), {
      ttlMs: 1000,
      now: () => now,
    });
    expect(await secret.read()).toBe('ghp_abc');
    expect(await secret.read()).toBe('ghp_abc');
    expect(world.secrets.reads.get('bundle')).toBe(1);
    now = 1001;
    await secret.read();
    secret.invalidate();
    await secret.read();
    expect(world.secrets.reads.get('bundle')).toBe(3);
    await expect(secretsManagerSecret(world.clients.secrets, 'absent').read()).rejects.toThrow(/can't find/);
  });

  it('webhook signatures: constant-time check over the raw bytes, two secrets during a rotation', () => {
    const body = Buffer.from('{"zen":"Keep it logically awesome."}');
    const [old, next] = ['old-secret-value', 'new-secret-value'];
    expect(verifyWebhookSignature(`${old}\n${next}`, body, signWebhookBody(next, body))).toBe(true);
    expect(verifyWebhookSignature(`${old}\n${next}`, body, signWebhookBody(old, body))).toBe(true);
    expect(verifyWebhookSignature(next, body, signWebhookBody(old, body))).toBe(false);
    expect(verifyWebhookSignature(next, Buffer.from(`${body} `), signWebhookBody(next, body))).toBe(false);
    expect(verifyWebhookSignature(next, body, undefined)).toBe(false);
    // A secret that cannot be right is a configuration error that names the secret, not a value
    const signature = signWebhookBody(next, body);
    expect(() => verifyWebhookSignature(' \n\n', body, signature)).toThrow(/webhook secret is empty/);
    expect(() => verifyWebhookSignature(`${next}\nsec\u0007ret-value`, body, signature)).toThrow(
      /^a value of the webhook secret holds a control character/,
    );
    expect(() => verifyWebhookSignature(`${next}\nshort`, body, signature)).toThrow(
      /shorter than 8 characters/,
    );
  });
});
