/**
 * The Lambda entry point as Lambda runs it: configuration from the environment, signing keys fetched with the
 * real AWS SDK client (from a local endpoint speaking Secrets Manager's protocol), the index opened from its
 * URI, Powertools logs and EMF metrics on stdout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import type { HttpEvent, HttpResult } from '#api/http-types.ts';
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
  let secretsEndpoint: Server;
  let secretReads = 0;
  let handler: (event: HttpEvent, context: Context) => Promise<HttpResult>;
  const keyText = newKeySetText();

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample']);
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
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    ({ handler } = await import('../../functions/search/handler.ts'));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    secretsEndpoint?.close();
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
});
