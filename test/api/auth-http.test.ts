import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import type { Scope } from '#api/auth/caller.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import { tokenBucketLimiter } from '#api/rate-limiter.ts';
import { createSearchApi } from '#api/search-api.ts';
import { type LocalReindexer, localReindexer } from '../../src/server/local-reindexer.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from './indexed-sample.ts';

interface Page {
  results: { repo: string; path: string }[];
}

describe('auth over real HTTP: tokens, per-repository permissions in the filter, scopes, rate limits', () => {
  // Two copies of one repository under different owners: every query matches both equally well, so any
  // leak across the grant would show.
  let sample: IndexedSample;
  let server: LocalServer;
  let reindexer: LocalReindexer;
  const keyText = newKeySetText();
  const keys = parseKeySet(keyText, 'test');
  const token = async (repos: string[], scopes: Scope[] = ['search'], ttlSeconds = 600) =>
    (await mintToken(keys, { sub: `t-${repos.join('+')}`, repos, scopes, ttlSeconds })).token;
  const call = (method: string, path: string, bearer?: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample', 'other/secret'], ['acme/sample']);
    reindexer = localReindexer(sample.services.store, sample.catalog, sample.services);
    const auth = bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText }));
    server = await startLocalServer(
      createSearchApi({
        ...sample.services,
        auth,
        catalog: sample.catalog,
        reindexer,
        logger: capturingLogger(),
      }),
      { port: 0 },
    );
  });

  afterAll(async () => {
    await server?.close();
    await reindexer?.idle();
    await sample?.close();
  });

  it('answers 401 with WWW-Authenticate on every route but /health and the page', async () => {
    for (const [method, path] of [
      ['POST', '/search'],
      ['POST', '/similar'],
      ['GET', '/context?repo=a&path=b&line=1'],
      ['GET', '/symbols?name=x'],
      ['GET', '/repos'],
      ['POST', '/repos/acme%2Fsample/reindex'],
      ['GET', '/openapi.json'],
    ] as const) {
      const response = await call(method, path, undefined, method === 'POST' ? { query: 'x' } : undefined);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('GET', '/')).status).toBe(200);
  });

  it('answers 401 for malformed, expired and wrongly signed tokens', async () => {
    const stranger = parseKeySet(newKeySetText(new Date('2020-01-01')), 'stranger');
    const foreign = (
      await mintToken(stranger, { sub: 'x', repos: ['*'], scopes: ['search'], ttlSeconds: 60 })
    ).token;
    const expired = (
      await mintToken(keys, {
        sub: 'x',
        repos: ['*'],
        scopes: ['search'],
        ttlSeconds: 60,
        now: new Date(Date.now() - 3_600_000),
      })
    ).token;
    for (const [bearer, message] of [
      ['nonsense', /Malformed/],
      [foreign, /unknown or retired key/],
      [expired, /expired/],
      [`${(await token(['*'])).slice(0, -4)}AAAA`, /signature/],
    ] as const) {
      const response = await call('POST', '/search', bearer, { query: 'retry' });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
  });

  it('never returns results from repositories outside the grant, whatever the request asks', async () => {
    const acme = await token(['acme/*']);
    for (const mode of ['hybrid', 'vector', 'keyword']) {
      const response = await call('POST', '/search', acme, {
        query: 'retry failed uploads',
        mode,
        limit: 50,
      });
      expect(response.status).toBe(200);
      const repos = new Set(((await response.json()) as Page).results.map((r) => r.repo));
      expect([...repos], mode).toEqual(['acme/sample']);
    }
    const similar = await call('POST', '/similar', acme, { snippet: 'retry with backoff', limit: 50 });
    expect(new Set(((await similar.json()) as Page).results.map((r) => r.repo))).toEqual(
      new Set(['acme/sample']),
    );
    const symbols = (await (await call('GET', '/symbols?name=retryFailedUpload', acme)).json()) as {
      definitions: { repo: string }[];
    };
    expect(symbols.definitions.map((d) => d.repo)).toEqual(['acme/sample']);
    const repos = (await (await call('GET', '/repos', acme)).json()) as { repos: { repo: string }[] };
    expect(repos.repos.map((r) => r.repo)).toEqual(['acme/sample']);
    // A token for everything sees both.
    const all = await call('POST', '/search', await token(['*']), {
      query: 'retry failed uploads',
      limit: 50,
    });
    expect(new Set(((await all.json()) as Page).results.map((r) => r.repo))).toEqual(
      new Set(['acme/sample', 'other/secret']),
    );
  });

  it('answers 403 when a forbidden repository is asked for by name, anywhere', async () => {
    const acme = await token(['acme/*']);
    const forbidden = [
      call('POST', '/search', acme, { query: 'x', repo: ['acme/sample', 'other/secret'] }),
      call('POST', '/similar', acme, {
        location: { repo: 'other/secret', path: 'src/upload/retry.ts', line: 12 },
      }),
      call('GET', '/context?repo=other/secret&path=src/upload/retry.ts&line=12', acme),
      call('GET', '/symbols?name=x&repo=other/secret', acme),
    ];
    for (const response of await Promise.all(forbidden)) {
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: string }).error).toMatch(/other\/secret/);
    }
  });

  it('requires the admin scope to re-index, within the grant, and re-indexes locally', async () => {
    expect((await call('POST', '/repos/acme%2Fsample/reindex', await token(['*']))).status).toBe(403);
    expect(
      (await call('POST', '/repos/other%2Fsecret/reindex', await token(['acme/*'], ['search', 'admin'])))
        .status,
    ).toBe(403);
    const admin = await token(['*'], ['search', 'admin']);
    const noRoot = await call('POST', '/repos/other%2Fsecret/reindex', admin);
    expect(noRoot.status).toBe(409);
    expect(((await noRoot.json()) as { error: string }).error).toMatch(
      /codesearch index <dir> --repo other\/secret/,
    );
    expect((await call('POST', '/repos/nobody%2Fhere/reindex', admin)).status).toBe(404);

    // Two at once: one starts, the other is told a run is already under way.
    const both = await Promise.all([
      call('POST', '/repos/acme/sample/reindex', admin),
      call('POST', '/repos/acme%2Fsample/reindex', admin),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    await reindexer.idle();
    const repos = (await (await call('GET', '/repos', admin)).json()) as {
      repos: { repo: string; status: string }[];
    };
    expect(repos.repos.find((r) => r.repo === 'acme/sample')?.status).toBe('ready');
  });

  it('checks a re-index against the grant exactly as a search, in whatever case either is written (a recording stand-in re-indexer)', async () => {
    // Given: the real API and auth, with a re-indexer that records what it is asked for
    const asked: string[] = [];
    const api = await startLocalServer(
      createSearchApi({
        ...sample.services,
        auth: bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText })),
        catalog: sample.catalog,
        reindexer: { reindex: async (repo) => void asked.push(repo) },
        logger: capturingLogger(),
      }),
      { port: 0 },
    );
    try {
      const send = (path: string, bearer: string, body?: unknown) =>
        fetch(`${api.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const grants = ['ACME/*', 'acme/*', 'Acme/Sample', 'OTHER/*', 'other/Secret'];
      const names = ['acme/sample', 'ACME/SAMPLE', 'Acme/Sample', 'other/secret', 'OTHER/SECRET'];
      for (const grant of grants) {
        const bearer = await token([grant], ['search', 'admin']);
        for (const name of names) {
          // When: the same token searches the repository and asks for its re-index
          const searched = await send('/search', bearer, { query: 'retry', repo: name, limit: 1 });
          const reindexed = await send(`/repos/${encodeURIComponent(name)}/reindex`, bearer);

          // Then: both are allowed or both are refused
          expect([searched.status, reindexed.status], `${grant} → ${name}`).toEqual(
            searched.status === 200 ? [200, 202] : [403, 403],
          );
        }
      }
      // And a re-index is always asked for in the one canonical spelling
      expect(new Set(asked)).toEqual(new Set(['acme/sample', 'other/secret']));
    } finally {
      await api.close();
    }
  });

  it('rate-limits each caller separately with 429 and Retry-After', async () => {
    const limited = await startLocalServer(
      createSearchApi({
        ...sample.services,
        auth: bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText })),
        rateLimiter: tokenBucketLimiter({ burst: 2, perSecond: 0.1 }),
        logger: capturingLogger(),
      }),
      { port: 0 },
    );
    try {
      const get = (bearer: string) =>
        fetch(`${limited.url}/repos`, { headers: { authorization: `Bearer ${bearer}` } });
      const first = await token(['acme/*']);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(first)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await get(first);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await get(await token(['other/*']))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
