/**
 * Branch indexes (`owner/name@branch`, as the push pipeline builds them) through the API and MCP: a search
 * reads each repository's default branch unless a branch is named, results say their branch, `GET /repos`
 * lists the branch indexes, and a grant for a repository covers its branches — and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import type { HttpHandler } from '#api/http-types.ts';
import { UNLIMITED } from '#api/rate-limiter.ts';
import { createSearchApi } from '#api/search-api.ts';
import { apiGatewayEvent } from './http-event.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from './indexed-sample.ts';

interface Hit {
  repo: string;
  branch: string | null;
  path: string;
}

describe('branch indexes through the API and MCP', () => {
  let sample: IndexedSample;
  let api: HttpHandler;
  let bearer: string;
  const logger = capturingLogger();

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample', 'acme/sample@dev', 'other/secret@dev']);
    const keyText = newKeySetText();
    bearer = (
      await mintToken(parseKeySet(keyText, 'test'), {
        sub: 'dev',
        repos: ['acme/sample'],
        scopes: ['search'],
        ttlSeconds: 600,
      })
    ).token;
    api = createSearchApi({
      ...sample.services,
      auth: bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText })),
      rateLimiter: UNLIMITED,
      catalog: sample.catalog,
      logger,
    });
  });

  afterAll(async () => {
    await sample?.close();
  });

  const post = async (path: string, body: unknown) => {
    const result = await api(
      apiGatewayEvent('POST', path, {
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${bearer}`, accept: 'application/json, text/event-stream' },
      }),
    );
    return { status: result.statusCode, body: JSON.parse(result.body || '{}') };
  };
  const get = async (path: string, query: Record<string, string> = {}) => {
    const result = await api(
      apiGatewayEvent('GET', path, { query, headers: { authorization: `Bearer ${bearer}` } }),
    );
    return { status: result.statusCode, body: JSON.parse(result.body) };
  };

  it('searches the default branch unless a branch is named, and each result says its branch', async () => {
    const plain = await post('/search', { query: 'retry failed uploads', limit: 20 });
    expect(plain.status).toBe(200);
    const plainHits = plain.body.results as Hit[];
    expect(new Set(plainHits.map((hit) => `${hit.repo}|${hit.branch}`))).toEqual(
      new Set(['acme/sample|null']),
    );

    const dev = await post('/search', { query: 'retry failed uploads', branch: 'dev', limit: 20 });
    expect(dev.status).toBe(200);
    // The grant for acme/sample covers its dev branch, and not other/secret's.
    expect(new Set((dev.body.results as Hit[]).map((hit) => `${hit.repo}|${hit.branch}`))).toEqual(
      new Set(['acme/sample|dev']),
    );
    const named = await post('/search', { query: 'retry', repo: 'acme/sample', branch: 'dev', limit: 3 });
    expect((named.body.results as Hit[])[0]).toMatchObject({ repo: 'acme/sample', branch: 'dev' });
    expect((await post('/search', { query: 'retry', repo: 'other/secret', branch: 'dev' })).status).toBe(403);
    expect((await post('/search', { query: 'retry', branch: '../main' })).status).toBe(400);
    expect((await post('/search', { query: 'retry', branch: "dev' OR '1'='1" })).status).toBe(400);
    expect((await post('/search', { query: 'retry', branch: 'nope' })).body.results).toEqual([]);
  });

  it('reads context and symbols on a branch, and lists the branch indexes the caller may see', async () => {
    const context = await get('/context', {
      repo: 'acme/sample',
      branch: 'dev',
      path: 'src/upload/retry.ts',
      line: '10',
    });
    expect(context.status).toBe(200);
    expect(context.body.chunk).toMatchObject({ repo: 'acme/sample', branch: 'dev' });
    const symbols = await get('/symbols', { name: 'retryFailedUpload', branch: 'dev' });
    expect(symbols.body.definitions).toEqual([
      expect.objectContaining({ repo: 'acme/sample', branch: 'dev' }),
    ]);
    const repos = await get('/repos');
    expect(
      (repos.body.repos as { repo: string; branch: string | null }[]).map((r) => [r.repo, r.branch]),
    ).toEqual([
      ['acme/sample', null],
      ['acme/sample', 'dev'],
    ]);
  });

  it('re-indexes a branch index by name, and refuses one that does not exist', async () => {
    const keyText = newKeySetText();
    const admin = createSearchApi({
      ...sample.services,
      auth: bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText })),
      catalog: sample.catalog,
      logger,
    });
    const token = (
      await mintToken(parseKeySet(keyText, 'test'), {
        sub: 'ops',
        repos: ['acme/*'],
        scopes: ['search', 'admin'],
        ttlSeconds: 600,
      })
    ).token;
    const reindex = async (body?: unknown) =>
      (
        await admin(
          apiGatewayEvent('POST', '/repos/acme%2Fsample/reindex', {
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            headers: { authorization: `Bearer ${token}` },
          }),
        )
      ).statusCode;
    // This API has no re-indexer: a known index is a 409, an unknown one a 404, a bad name a 400
    expect(await reindex()).toBe(409);
    expect(await reindex({ branch: 'dev' })).toBe(409);
    expect(await reindex({ branch: 'nope' })).toBe(404);
    expect(await reindex({ branch: '../x' })).toBe(400);
    expect(await reindex({ branch: 'dev', extra: 1 })).toBe(400);
  });

  it('takes a branch in every MCP tool', async () => {
    const call = async (name: string, args: Record<string, unknown>) =>
      (await post('/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }))
        .body.result;
    const search = await call('search_code', { query: 'retry failed uploads', branch: 'dev', limit: 2 });
    expect(search.structuredContent.results[0]).toMatchObject({ repo: 'acme/sample', branch: 'dev' });
    expect(search.content[0].text).toMatch(/^1\. acme\/sample@dev src\/upload\/retry\.ts:/);
    const file = await call('read_file', {
      repo: 'acme/sample',
      branch: 'dev',
      path: 'src/upload/retry.ts',
      endLine: 3,
    });
    expect(file.structuredContent).toMatchObject({ branch: 'dev', startLine: 1, endLine: 3 });
    const first = search.structuredContent.results[0];
    const context = await call('get_code_context', { ...first, line: first.startLine });
    expect(context.isError).toBeFalsy();
    const similar = await call('find_similar_code', {
      repo: 'acme/sample',
      branch: 'dev',
      path: first.path,
      line: first.startLine,
    });
    for (const hit of similar.structuredContent.results as Hit[]) expect(hit.repo).toBe('acme/sample');
    const defaults = await call('get_code_context', { ...first, branch: null, line: first.startLine });
    expect(defaults.structuredContent.chunk.branch).toBeNull();
    expect(logger.errors).toEqual([]);
  });
});
