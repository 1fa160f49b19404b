/**
 * The search API's shared result cache against DynamoDB (dynalite): values round-trip as gzip-compressed
 * JSON, a second container finds what the first stored, expired items are misses before DynamoDB's TTL
 * removes them, values over the item limit are skipped, and DynamoDB faults are misses — never errors.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '#adapters/aws/clients.ts';
import { DynamoResultCache, MAX_ITEM_BYTES } from '#adapters/aws/dynamo-result-cache.ts';
import { layeredResultCache, ttlResultCache } from '#api/result-cache.ts';
import { type DynamoEmulator, startDynamoEmulator } from '#test/emulators/dynamodb-emulator.ts';
import { NO_FAULTS, randomFaults } from '#test/emulators/faults.ts';

const PAGE = {
  results: [
    { repo: 'acme/api', path: 'src/retry.ts', startLine: 3, snippet: 'retry(() => upload(f)) // ü ✓' },
  ],
  nextCursor: null,
};

describe('DynamoResultCache', () => {
  let dynamo: DynamoEmulator;
  let table: string;
  let warnings: { message: string; attributes: Record<string, unknown> }[];
  const log = {
    warn: (message: string, attributes: Record<string, unknown>) => warnings.push({ message, attributes }),
  };
  /** A container: its own SDK clients (and, through layeredResultCache, its own memory). */
  const container = (options: { maxAttempts?: number } = {}): AwsClients => dynamo.clients(options);
  const gets = () => dynamo.operations.get('GetItem') ?? 0;
  const puts = () => dynamo.operations.get('PutItem') ?? 0;

  beforeAll(async () => {
    dynamo = await startDynamoEmulator({ prefix: 'result-cache' });
    table = dynamo.tables.queryCache;
  });
  afterAll(() => dynamo?.stop());
  beforeEach(() => {
    warnings = [];
    dynamo.setFaults(NO_FAULTS);
  });

  it('round-trips a value, stored as gzip-compressed JSON with an epoch-seconds expiry', async () => {
    // Given: a cache with a fixed clock
    const now = 1_800_000_000_500;
    const clients = container();
    const cache = new DynamoResultCache(clients.documents, table, { ttlSeconds: 60, now: () => now, log });

    // When: a page is stored and read back
    await cache.set('round-trip', PAGE);

    // Then: the same value comes back, and the item is what DynamoDB's TTL expects
    expect(await cache.get('round-trip')).toEqual(PAGE);
    expect(await cache.get('never-stored')).toBeUndefined();
    const { Item } = await clients.documents.send(
      new GetCommand({ TableName: table, Key: { key: 'round-trip' } }),
    );
    expect(Item?.expiresAt).toBe(1_800_000_000 + 60);
    expect(Item?.value).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(gunzipSync(Item?.value as Uint8Array).toString('utf8'))).toEqual(PAGE);
    expect(warnings).toEqual([]);
  });

  it('gives a second container (fresh memory, same table) a hit, which then stays in its memory', async () => {
    // Given: two containers, each with its memory in front of the shared table
    const layered = (clients: AwsClients) =>
      layeredResultCache(ttlResultCache(), new DynamoResultCache(clients.documents, table, { log }));
    const first = layered(container());
    const second = layered(container());

    // When: the first stores a page
    await first.set('shared', PAGE);
    expect(await first.get('shared')).toEqual(PAGE);

    // Then: the second reads it from DynamoDB once, then from its own memory
    const before = gets();
    expect(await second.get('shared')).toEqual(PAGE);
    expect(gets()).toBe(before + 1);
    expect(await second.get('shared')).toEqual(PAGE);
    expect(gets()).toBe(before + 1);
  });

  it('treats an expired item as a miss although DynamoDB has not deleted it yet', async () => {
    // Given: an entry written at t with a 60 s time-to-live
    let now = 1_800_000_000_000;
    const clients = container();
    const cache = new DynamoResultCache(clients.documents, table, { ttlSeconds: 60, now: () => now });
    await cache.set('expiring', PAGE);

    // When / then: a hit until its expiry, a miss from then on
    now += 59_999;
    expect(await cache.get('expiring')).toEqual(PAGE);
    now += 1;
    expect(await cache.get('expiring')).toBeUndefined();
    const { Item } = await clients.documents.send(
      new GetCommand({ TableName: table, Key: { key: 'expiring' } }),
    );
    expect(Item).toBeDefined(); // still in the table: only the expiry check made it a miss
  });

  it('does not store a value over the item limit, and does not throw; a large one under it is stored', async () => {
    // Given: incompressible text, so that gzip cannot bring it under the limit
    const cache = new DynamoResultCache(container().documents, table, { log });
    const oversized = { results: [randomBytes(450_000).toString('base64')] };
    const large = { results: [randomBytes(250_000).toString('base64')] };
    const before = puts();

    // When
    await expect(cache.set('oversized', oversized)).resolves.toBeUndefined();
    await cache.set('large', large);

    // Then: only the one that fits reached DynamoDB
    expect(puts()).toBe(before + 1);
    expect(await cache.get('oversized')).toBeUndefined();
    expect(await cache.get('large')).toEqual(large);
    expect(warnings).toEqual([
      {
        message: 'query cache item too large, not stored',
        attributes: { table, bytes: expect.any(Number) },
      },
    ]);
    expect(warnings[0]?.attributes.bytes).toBeGreaterThan(MAX_ITEM_BYTES);
  });

  it('turns DynamoDB faults into misses and dropped writes, logged, never errors', async () => {
    // Given: a stored page, then every read and write of the table failing (no SDK retries, to be quick)
    const clients = container({ maxAttempts: 1 });
    const cache = new DynamoResultCache(clients.documents, table, { log });
    const layered = layeredResultCache(ttlResultCache(), cache);
    await cache.set('faulty', PAGE);
    dynamo.setFaults(
      randomFaults({
        rate: 1,
        budget: 100,
        seed: 1,
        faults: [
          { status: 500, code: 'InternalServerError' },
          { status: 400, code: 'ProvisionedThroughputExceededException' },
        ],
        when: (target) => target.operation === 'GetItem' || target.operation === 'PutItem',
      }),
    );

    // When / then: reads miss, writes are dropped, both through the layered cache too
    await expect(cache.get('faulty')).resolves.toBeUndefined();
    await expect(cache.set('faulty-write', PAGE)).resolves.toBeUndefined();
    await expect(layered.get('faulty')).resolves.toBeUndefined();
    await layered.set('faulty-layered', PAGE);
    expect(await layered.get('faulty-layered')).toEqual(PAGE); // memory still serves this container
    expect(warnings.map((w) => w.message)).toEqual([
      'query cache read failed, treated as a miss',
      'query cache write failed, not stored',
      'query cache read failed, treated as a miss',
      'query cache write failed, not stored',
    ]);
    expect(warnings[0]?.attributes).toMatchObject({ table, error: expect.stringMatching(/Exception|Error/) });

    // …and once DynamoDB is back, the page stored before the faults is a hit again
    dynamo.setFaults(NO_FAULTS);
    expect(await cache.get('faulty')).toEqual(PAGE);
  });

  it('treats an item it cannot decode as a miss', async () => {
    // Given: an item under a cache key whose value is not gzip-compressed JSON
    const clients = container();
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    await clients.documents.send(
      new PutCommand({ TableName: table, Item: { key: 'text', value: 'not binary', expiresAt } }),
    );
    await clients.documents.send(
      new PutCommand({
        TableName: table,
        Item: { key: 'garbage', value: new Uint8Array([1, 2, 3]), expiresAt },
      }),
    );
    const cache = new DynamoResultCache(clients.documents, table, { log });

    // When / then
    expect(await cache.get('text')).toBeUndefined();
    expect(await cache.get('garbage')).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });

  it('gives up on a table that does not answer, within its time limit, as a miss', async () => {
    // Given: an endpoint that accepts connections and never answers (a stalled network path)
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      }),
    );
    const cache = new DynamoResultCache(client, table, { log, timeoutMs: 200 });
    try {
      // When
      const started = performance.now();
      const found = await cache.get('stalled');
      await cache.set('stalled', PAGE);
      // Then: both calls gave up (well before any SDK timeout) and were reported
      expect(found).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(warnings.map((w) => w.message)).toEqual([
        'query cache read failed, treated as a miss',
        'query cache write failed, not stored',
      ]);
    } finally {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
