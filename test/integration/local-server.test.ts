/**
 * The local server as a web page sees it, and as API Gateway would answer: real sockets, with headers a
 * browser sends (`Host`, `Origin`) set by hand.
 *
 * Before: `Host: attacker.example` was served (DNS rebinding reads the whole index), a cross-origin form POST
 * started a re-index, `GET //evil/repos` was served as `/repos` and `POST //search` as `/`, and `HEAD` got a
 * 405 where API Gateway answers 404.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent } from '#api/http-types.ts';
import { jsonResult } from '#api/http-types.ts';
import { createSearchApi } from '#api/search-api.ts';
import type { Reindexer } from '#engine/repo-catalog.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from '../api/indexed-sample.ts';

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** One request with exactly these headers (fetch will not let a caller set `Host`). */
function send(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => {
          body += part;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the local server against web pages (real sockets, real API; a counting stand-in re-indexer)', () => {
  let sample: IndexedSample;
  let server: LocalServer;
  let host: string;
  const reindexed: string[] = [];
  const refused: { host?: string; origin?: string }[] = [];
  const reindexer: Reindexer = {
    reindex: async (repo) => {
      reindexed.push(repo);
    },
  };

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample']);
    server = await startLocalServer(
      createSearchApi({ ...sample.services, catalog: sample.catalog, reindexer, logger: capturingLogger() }),
      { port: 0, onRefused: (refusal) => refused.push(refusal) },
    );
    host = new URL(server.url).host;
  });

  afterAll(async () => {
    await server?.close();
    await sample?.close();
  });

  it('refuses a Host that is not this server with 403, and serves its loopback names', async () => {
    for (const foreign of ['attacker.example', `attacker.example:${new URL(server.url).port}`, '127.0.0.1:1'])
      for (const path of ['/repos', '/health', '/'])
        expect((await send(server.url, { path, headers: { host: foreign } })).status, foreign).toBe(403);
    expect(refused.at(-1)).toMatchObject({ host: '127.0.0.1:1' }); // and each refusal is told, for the log
    const port = new URL(server.url).port;
    for (const own of [host, `localhost:${port}`, `[::1]:${port}`])
      expect((await send(server.url, { path: '/repos', headers: { host: own } })).status, own).toBe(200);
  });

  it('refuses a foreign Origin, on every route, before anything runs', async () => {
    const before = reindexed.length;
    for (const origin of [
      'https://attacker.example',
      'null',
      `http://attacker.example:${new URL(server.url).port}`,
    ]) {
      const reindex = await send(server.url, {
        method: 'POST',
        path: '/repos/acme%2Fsample/reindex',
        headers: { host, origin, 'content-type': 'application/json' },
      });
      expect(reindex.status, origin).toBe(403);
      expect(JSON.parse(reindex.body).error).toMatch(/not accepted/);
      const search = await send(server.url, {
        method: 'POST',
        path: '/search',
        headers: { host, origin, 'content-type': 'application/json' },
        body: '{"query":"retry"}',
      });
      expect(search.status, origin).toBe(403);
    }
    expect(reindexed.length).toBe(before);
    // The server's own page may post
    const own = await send(server.url, {
      method: 'POST',
      path: '/search',
      headers: { host, origin: `http://${host}`, 'content-type': 'application/json' },
      body: '{"query":"retry"}',
    });
    expect(own.status).toBe(200);
  });

  it('refuses a form POST (what a page may send without asking) with 415, and re-indexes a JSON one', async () => {
    const form = await send(server.url, {
      method: 'POST',
      path: '/repos/acme%2Fsample/reindex',
      headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect(reindexed).toEqual([]);
    const json = await send(server.url, {
      method: 'POST',
      path: '/repos/acme%2Fsample/reindex',
      headers: { host, 'content-type': 'application/json' },
    });
    expect(json.status).toBe(202);
    expect(reindexed).toEqual(['acme/sample']);
  });

  it('answers what API Gateway answers itself with its 404, before the handler', async () => {
    for (const [method, path] of [
      ['GET', '//evil/repos'],
      ['POST', '//search'],
      ['HEAD', '/health'],
      ['GET', '/search'],
      ['DELETE', '/repos'],
      ['GET', '/repos/'],
    ] as const) {
      const reply = await send(server.url, {
        method,
        path,
        headers: { host, 'content-type': 'application/json' },
        body: method === 'POST' ? '{"query":"x"}' : undefined,
      });
      expect(reply.status, `${method} ${path}`).toBe(404);
      if (method !== 'HEAD')
        expect(JSON.parse(reply.body), `${method} ${path}`).toEqual({ message: 'Not Found' });
    }
  });
});

describe('the event the local server builds (a capturing stand-in handler)', () => {
  it('is the one API Gateway builds: raw path and query as sent, route key, path parameters', async () => {
    const events: HttpEvent[] = [];
    const server = await startLocalServer(
      async (event) => {
        events.push(event);
        return jsonResult(200, {});
      },
      { port: 0 },
    );
    try {
      const host = new URL(server.url).host;
      await send(server.url, {
        method: 'POST',
        path: '/repos/acme%2Fsample/reindex?x=1&x=2',
        headers: { host, 'content-type': 'application/json' },
      });
      await send(server.url, { path: '/context?repo=a%2Fb&path=src%2Fx.ts&line=3', headers: { host } });
      expect(events[0]).toMatchObject({
        routeKey: 'POST /repos/{repo+}',
        rawPath: '/repos/acme%2Fsample/reindex',
        rawQueryString: 'x=1&x=2',
        queryStringParameters: { x: '1,2' },
        pathParameters: { repo: 'acme/sample/reindex' },
        requestContext: {
          http: { method: 'POST', path: '/repos/acme%2Fsample/reindex' },
          routeKey: 'POST /repos/{repo+}',
        },
      });
      expect(events[1]).toMatchObject({
        routeKey: 'GET /context',
        rawPath: '/context',
        queryStringParameters: { repo: 'a/b', path: 'src/x.ts', line: '3' },
      });
      expect(events[1]).not.toHaveProperty('pathParameters');
    } finally {
      await server.close();
    }
  });
});
