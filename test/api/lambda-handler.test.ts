/**
 * The Lambda entry point as Lambda runs it: configuration from the environment, signing keys fetched with the
 * real AWS SDK client (from a local endpoint speaking Secrets Manager's protocol), the index opened from its
 * URI, the shared query cache in DynamoDB (dynalite), Powertools logs and EMF metrics on stdout.
 */
import { rename } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generationTableName, indexGeneration } from '#adapters/lancedb/index-generation.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import type { HttpEvent, HttpResult } from '#api/http-types.ts';
import { CHUNKER_VERSION } from '#engine/chunking/index.ts';
import { type DynamoEmulator, startDynamoEmulator } from '#test/emulators/dynamodb-emulator.ts';
import { randomFaults } from '#test/emulators/faults.ts';
import { apiGatewayEvent } from './http-event.ts';
import { type IndexedSample, openIndexedSample } from './indexed-sample.ts';

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'codesearch-search',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:codesearch-search',
  memoryLimitInMB: '2048',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/codesearch-search',
  logStreamName: '2026/11/02/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 29_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} satisfies Context;

describe('functions/search/handler (the Lambda entry point)', () => {
  let sample: IndexedSample;
  let dynamo: DynamoEmulator;
  let secretsEndpoint: Server;
  let secretReads = 0;
  let handler: (event: HttpEvent, context: Context) => Promise<HttpResult>;
  const keyText = newKeySetText();

  beforeAll(async () => {
    [sample, dynamo] = await Promise.all([openIndexedSample(['acme/sample']), startDynamoEmulator()]);
    // Built locally (one table, "chunks"); in Lambda each index generation has its own table: move it there.
    const lancedb = join(sample.services.home, 'lancedb');
    const { embedder } = sample.services;
    const generation = indexGeneration({
      modelId: embedder.modelId,
      dimension: embedder.dimension,
      chunkerVersion: CHUNKER_VERSION,
    });
    await rename(join(lancedb, 'chunks.lance'), join(lancedb, `${generationTableName(generation)}.lance`));
    secretsEndpoint = createServer((req, res) => {
      req.resume().on('end', () => {
        secretReads++;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Name: 'codesearch/keys', SecretString: keyText }));
      });
    });
    await new Promise<void>((resolve) => secretsEndpoint.listen(0, '127.0.0.1', resolve));
    vi.stubEnv('CODESEARCH_INDEX_URI', join(sample.services.home, 'lancedb'));
    vi.stubEnv('CODESEARCH_KEYS_SECRET_ID', 'codesearch/keys');
    vi.stubEnv(
      'AWS_ENDPOINT_URL_SECRETS_MANAGER',
      `http://127.0.0.1:${(secretsEndpoint.address() as AddressInfo).port}`,
    );
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('CODESEARCH_QUERY_CACHE_TABLE', dynamo.tables.queryCache);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    ({ handler } = await import('../../functions/search/handler.ts'));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    secretsEndpoint?.close();
    await dynamo?.stop();
    await sample?.close();
  });

  it('serves /health without a token, and search with one, logging a JSON record and metrics per request', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const health = await handler(apiGatewayEvent('GET', '/health', {}), context);
      expect(health.statusCode).toBe(200);

      const denied = await handler(
        apiGatewayEvent('POST', '/search', { body: '{"query":"retry"}' }),
        context,
      );
      expect(denied.statusCode).toBe(401);

      const { token } = await mintToken(parseKeySet(keyText, 'test'), {
        sub: 'lambda-test',
        repos: ['acme/*'],
        scopes: ['search'],
        ttlSeconds: 300,
      });
      const found = await handler(
        apiGatewayEvent('POST', '/search', {
          body: JSON.stringify({ query: 'retry failed uploads', limit: 2 }),
          headers: { authorization: `Bearer ${token}` },
        }),
        context,
      );
      expect(found.statusCode, found.body).toBe(200);
      expect(JSON.parse(found.body).results[0].path).toBe('src/upload/retry.ts');
      expect(secretReads).toBe(1); // cached for the container

      const lines = written
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const requests = lines.filter((line) => line.message === 'request');
      expect(requests.at(-1)).toMatchObject({
        level: 'INFO',
        route: '/search',
        status: 200,
        resultCount: 2,
        cacheHit: false,
        caller: 'lambda-test',
        function_request_id: context.awsRequestId,
      });
      const emf = lines.filter((line) => '_aws' in line);
      expect(emf.some((line) => typeof line.Latency === 'number' && line.route === '/search')).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('speaks MCP at /mcp from API Gateway v2 events: 401 with resource metadata, then tools under the grant', async () => {
    const mcp = (body: unknown, headers: Record<string, string> = {}) =>
      apiGatewayEvent('POST', '/mcp', {
        body: JSON.stringify(body),
        headers: {
          accept: 'application/json, text/event-stream',
          'x-forwarded-proto': 'https',
          ...headers,
        },
      });
    const { token } = await mintToken(parseKeySet(keyText, 'test'), {
      sub: 'agent',
      repos: ['acme/sample'],
      scopes: ['search'],
      ttlSeconds: 300,
    });
    const lines = await outputLines(async () => {
      const denied = await handler(mcp({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), context);
      expect(denied.statusCode).toBe(401);
      expect(denied.headers?.['www-authenticate']).toContain(
        'resource_metadata="https://localhost/.well-known/oauth-protected-resource"',
      );
      const metadata = await handler(
        apiGatewayEvent('GET', '/.well-known/oauth-protected-resource', {}),
        context,
      );
      expect(JSON.parse(metadata.body)).toMatchObject({ resource: 'https://localhost' });

      const auth = { authorization: `Bearer ${token}` };
      const initialize = await handler(
        mcp(
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-06-18',
              capabilities: {},
              clientInfo: { name: 't', version: '1' },
            },
          },
          auth,
        ),
        context,
      );
      expect(initialize.statusCode, initialize.body).toBe(200);
      expect(JSON.parse(initialize.body).result.serverInfo.name).toBe('codesearch');
      const initialized = await handler(
        mcp({ jsonrpc: '2.0', method: 'notifications/initialized' }, auth),
        context,
      );
      expect(initialized.statusCode).toBe(202);
      const called = await handler(
        mcp(
          {
            jsonrpc: '2.0',
            id: 2,
            method: 'tools/call',
            params: { name: 'search_code', arguments: { query: 'retry failed uploads', limit: 2 } },
          },
          { ...auth, 'mcp-protocol-version': '2025-06-18' },
        ),
        context,
      );
      expect(called.statusCode, called.body).toBe(200);
      const result = JSON.parse(called.body).result;
      expect(result.structuredContent.results[0].path).toBe('src/upload/retry.ts');
      expect(result.content[0].text).toMatch(/^1\. acme\/sample src\/upload\/retry\.ts:/);
    });
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
    expect(lines.filter((line) => line.message === 'request' && line.route === '/mcp').at(-1)).toMatchObject({
      status: 200,
      caller: 'agent',
    });
  });

  /** Runs `act` with stdout and stderr (Powertools writes warnings there) captured; the JSON lines written. */
  async function outputLines(act: () => Promise<void>): Promise<Record<string, unknown>[]> {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
    try {
      await act();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    return written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async function searchEvent(query: string): Promise<HttpEvent> {
    const { token } = await mintToken(parseKeySet(keyText, 'test'), {
      sub: 'lambda-test',
      repos: ['acme/*'],
      scopes: ['search'],
      ttlSeconds: 300,
    });
    return apiGatewayEvent('POST', '/search', {
      body: JSON.stringify({ query, limit: 3 }),
      headers: { authorization: `Bearer ${token}` },
    });
  }

  it('serves a repeated search from the cache: its own memory, then another container through DynamoDB', async () => {
    // Given: a search this container has not seen
    const event = await searchEvent('where do uploads back off between attempts');
    const gets = () => dynamo.operations.get('GetItem') ?? 0;
    const bodies: unknown[] = [];
    let secondContainerGets = 0;

    const lines = await outputLines(async () => {
      // When: it is asked twice here…
      for (const _ of [1, 2]) {
        const response = await handler(event, context);
        expect(response.statusCode, response.body).toBe(200);
        bodies.push(JSON.parse(response.body).results);
      }
      const getsAfterFirstContainer = gets();
      // …and once in a fresh container (new modules: new memory, new clients, same table)
      vi.resetModules();
      const { handler: secondContainer } = await import('../../functions/search/handler.ts');
      const response = await secondContainer(event, context);
      expect(response.statusCode, response.body).toBe(200);
      bodies.push(JSON.parse(response.body).results);
      secondContainerGets = gets() - getsAfterFirstContainer;
    });

    // Then: a miss, a hit from memory, and a hit from DynamoDB, all with the same results
    const searches = lines.filter((line) => line.message === 'request' && line.route === '/search');
    expect(searches.map((line) => line.cacheHit)).toEqual([false, true, true]);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(secondContainerGets).toBe(1);
    expect(dynamo.operations.get('PutItem')).toBeGreaterThan(0);
    expect(lines.filter((line) => '_aws' in line).map((line) => line.CacheHit)).toEqual(
      expect.arrayContaining([0, 1]),
    );
  });

  it('still answers when DynamoDB fails: the cache misses, and the fault is logged as a warning', async () => {
    // Given: every query-cache read and write failing
    dynamo.setFaults(
      randomFaults({
        rate: 1,
        budget: 1000,
        seed: 7,
        faults: [{ status: 500, code: 'InternalServerError' }],
        when: (target) => target.operation === 'GetItem' || target.operation === 'PutItem',
      }),
    );
    const event = await searchEvent('retry failed uploads with a delay');

    // When
    let status = 0;
    const lines = await outputLines(async () => {
      status = (await handler(event, context)).statusCode;
    });

    // Then: a normal answer, computed rather than cached, and the faults in the log and metrics
    expect(status).toBe(200);
    expect(lines.find((line) => line.message === 'request')).toMatchObject({ status: 200, cacheHit: false });
    expect(lines.filter((line) => line.level === 'WARN').map((line) => line.message)).toEqual([
      'query cache read failed, treated as a miss',
      'query cache write failed, not stored',
    ]);
    expect(lines.some((line) => line.QueryCacheWarning !== undefined)).toBe(true);
  });
});
