import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchApi } from '#api/search-api.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from '#test/api/indexed-sample.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';

interface Result {
  repo: string;
  branch: string | null;
  commit: string | null;
  path: string;
  startLine: number;
  endLine: number;
  symbols: string[];
  score: number;
  vectorScore: number | null;
  keywordScore: number | null;
}
interface Page {
  results: Result[];
  nextCursor: string | null;
  tookMs: number;
}

describe('HTTP API through the local server (real sockets, same handler as Lambda, auth off)', () => {
  let sample: IndexedSample;
  let server: LocalServer;
  const logger = capturingLogger();
  const post = (
    path: string,
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  const search = async (request: Record<string, unknown>): Promise<Page> => {
    const response = await post('/search', JSON.stringify(request));
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Page;
  };
  const getJson = async <T>(path: string, status = 200): Promise<T> => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status, await response.clone().text()).toBe(status);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample']);
    server = await startLocalServer(
      createSearchApi({ ...sample.services, catalog: sample.catalog, logger }),
      {
        port: 0,
      },
    );
  });

  afterAll(async () => {
    await server?.close();
    await sample?.close();
  });

  it('GET /health reports the model and whether the index answers, without a token, and nothing more', async () => {
    const body = await getJson<Record<string, unknown>>('/health');
    // Chunk counts and data versions say what is indexed, and when it changed: not for anonymous callers.
    expect(body).toEqual({
      status: 'ok',
      model: sample.services.embedder.modelId,
      dimension: sample.services.embedder.dimension,
      index: { reachable: true },
    });
  });

  it('POST /search answers in the documented shape (the first version fields plus commit and score parts)', async () => {
    const body = await search({ query: 'retry failed uploads', repo: ['acme/sample'], limit: 3 });
    expect(typeof body.tookMs).toBe('number');
    expect(body.results).toHaveLength(3);
    for (const result of body.results) {
      expect(Object.keys(result).sort()).toEqual([
        'branch',
        'commit',
        'endLine',
        'keywordScore',
        'language',
        'path',
        'repo',
        'score',
        'snippet',
        'startLine',
        'symbols',
        'vectorScore',
      ]);
      expect(result.commit).toBeNull();
      expect(result.branch).toBeNull(); // the default branch
    }
    expect(body.results[0]?.path).toBe('src/upload/retry.ts');
    expect(body.results[0]?.vectorScore).toBeGreaterThan(0);
    expect(body.results[0]?.keywordScore).toBeGreaterThan(0);
  });

  it('pages with a cursor: two pages of two equal one page of four', async () => {
    const request = { query: 'parse and validate input', mode: 'hybrid', limit: 2 };
    const first = await search(request);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await search({ ...request, cursor: first.nextCursor });
    const whole = await search({ ...request, limit: 4 });
    const ids = (page: Page) => page.results.map((r) => `${r.path}:${r.startLine}`);
    expect([...ids(first), ...ids(second)]).toEqual(ids(whole));
    const reused = await post(
      '/search',
      JSON.stringify({ ...request, query: 'other', cursor: first.nextCursor }),
    );
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ issues: [{ path: 'cursor' }] });
  });

  it('filters by symbol', async () => {
    const body = await search({ query: 'upload', symbol: 'retryFailedUpload' });
    expect(body.results.length).toBeGreaterThan(0);
    for (const result of body.results) expect(result.symbols).toContain('retryFailedUpload');
  });

  it('serves a repeated search from the cache, and logs a structured record per request', async () => {
    const request = { query: 'email address validation', limit: 2 };
    const first = await search(request);
    const again = await search(request);
    expect(again.results).toEqual(first.results);
    const searches = logger.records.filter((r) => r.route === '/search').slice(-2);
    expect(searches.map((r) => r.cacheHit)).toEqual([false, true]);
    expect(searches[1]).toMatchObject({
      method: 'POST',
      path: '/search',
      status: 200,
      resultCount: 2,
      caller: 'local',
      latencyMs: expect.any(Number),
      requestId: expect.any(String),
    });
  });

  it('POST /similar finds code like an indexed location (reusing its vector) or like a snippet', async () => {
    const byLocation = await post(
      '/similar',
      JSON.stringify({ location: { repo: 'acme/sample', path: 'src/upload/retry.ts', line: 12 }, limit: 3 }),
    );
    expect(byLocation.status).toBe(200);
    const located = (await byLocation.json()) as Page;
    expect(located.results).toHaveLength(3);
    expect(
      located.results.some((r) => r.path === 'src/upload/retry.ts' && r.startLine <= 12 && r.endLine >= 12),
    ).toBe(false);
    expect(located.results[0]?.keywordScore).toBeNull();
    const bySnippet = await post(
      '/similar',
      JSON.stringify({
        snippet: 'def total(items):\n    return sum(i.price for i in items)',
        language: 'python',
      }),
    );
    const snippetPage = (await bySnippet.json()) as Page;
    expect(bySnippet.status).toBe(200);
    expect(snippetPage.results[0]?.path).toBe('lib/invoices.py');
    const both = await post(
      '/similar',
      JSON.stringify({ snippet: 'x', location: { repo: 'a', path: 'b', line: 1 } }),
    );
    expect(both.status).toBe(400);
    const missing = await post(
      '/similar',
      JSON.stringify({ location: { repo: 'acme/sample', path: 'nope.ts', line: 1 } }),
    );
    expect(missing.status).toBe(404);
  });

  it('GET /context returns the enclosing chunk and its neighbours', async () => {
    const body = await getJson<{ chunk: Result; before: Result[]; after: Result[] }>(
      '/context?repo=acme/sample&path=src/upload/retry.ts&line=30&neighbours=1',
    );
    expect(body.chunk.startLine).toBeLessThanOrEqual(30);
    expect(body.chunk.endLine).toBeGreaterThanOrEqual(30);
    expect(body.before.length + body.after.length).toBeGreaterThan(0);
    for (const chunk of body.before) expect(chunk.startLine).toBeLessThan(body.chunk.startLine);
    await getJson('/context?repo=acme/sample&path=src/upload/retry.ts&line=9999', 404);
    await getJson('/context?repo=acme/sample&path=src/upload/retry.ts&line=abc', 400);
    await getJson('/context?repo=acme/sample&path=src/upload/retry.ts&line=1&extra=1', 400);
    // Quotes are legal in file names: escaped, not refused, and simply not found here.
    await getJson(
      `/context?repo=acme/sample&path=${encodeURIComponent("src/it's' OR '1'='1.ts")}&line=1`,
      404,
    );
  });

  it('GET /symbols lists definitions and usages', async () => {
    const body = await getJson<{ definitions: Result[]; usages: Result[] }>(
      '/symbols?name=retryFailedUpload',
    );
    expect(body.definitions.map((d) => d.path)).toEqual(['src/upload/retry.ts']);
    expect(body.definitions[0]?.symbols).toContain('retryFailedUpload');
    expect(body.usages.map((u) => u.symbols)).toContainEqual(expect.arrayContaining(['UploadQueue']));
  });

  it('GET /repos lists what was indexed, with counts', async () => {
    const body = await getJson<{ repos: unknown[] }>('/repos');
    expect(body.repos).toEqual([
      {
        repo: 'acme/sample',
        branch: null,
        commit: null,
        indexedAt: expect.any(String),
        files: 8,
        chunks: expect.any(Number),
        status: 'ready',
        errors: [],
      },
    ]);
    await getJson('/repos?unexpected=1', 400);
  });

  it('GET /openapi.json is an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const doc = await getJson<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    }>('/openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/',
        '/.well-known/oauth-protected-resource',
        '/context',
        '/health',
        '/mcp',
        '/openapi.json',
        '/repos',
        '/repos/{repo}',
        '/repos/{repo}/reindex',
        '/search',
        '/similar',
        '/symbols',
      ].sort(),
    );
    const searchBody = doc.paths['/search']?.post?.requestBody?.content['application/json']?.schema;
    expect(searchBody).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['query'],
      properties: { query: { maxLength: 1000 }, limit: { maximum: 100 } },
    });
  });

  it('GET / serves the search page under a strict Content-Security-Policy', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'sha256-/,
    );
    expect(await response.text()).toContain('<form id="search-form"');
  });

  it.each([
    ['not JSON', '{"query":', 400, /not valid JSON/],
    ['a JSON array', '[1,2]', 400, /Invalid POST \/search request/],
    ['no query', '{}', 400, /query/],
    ['an empty query', '{"query":"   "}', 400, /query must not be empty/],
    ['a query over 1,000 characters', JSON.stringify({ query: 'x'.repeat(1001) }), 400, /at most 1000/],
    ['an unknown field', '{"query":"x","repos":["a"]}', 400, /repos: unknown field/],
    ['a wrong type', '{"query":42}', 400, /query must be a string/],
    ['a limit over 100', '{"query":"x","limit":101}', 400, /limit/],
    ['an injected repo', `{"query":"x","repo":"a' OR '1'='1"}`, 400, /not a repository name/],
    ['an injected path', `{"query":"x","path":"src/' OR 1=1 --"}`, 400, /path/],
    ['an injected symbol', `{"query":"x","symbol":"a' OR '1'='1"}`, 400, /symbol/],
    ['an unknown language', '{"query":"x","language":"cobol2"}', 400, /language must be one of/],
    ['an unknown mode', '{"query":"x","mode":"fuzzy"}', 400, /mode must be one of/],
    ['a bad glob', '{"query":"x","path":"src/{a,b"}', 400, /invalid glob/],
    ['a forged cursor', '{"query":"x","cursor":"eyJvIjo1fQ"}', 400, /cursor/],
  ])('rejects %s with a 4xx and a message', async (_name, body, status, message) => {
    const response = await post('/search', body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('returns 413 for a body over 64 KB, 415 without JSON, 404 and 405 for wrong routes', async () => {
    expect((await post('/search', JSON.stringify({ query: 'x', pad: 'y'.repeat(70_000) }))).status).toBe(413);
    expect((await post('/search', '{"query":"x"}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    // No route for GET /search: API Gateway answers 404 itself, and so does the local server
    const wrongMethod = await fetch(`${server.url}/search`);
    expect(wrongMethod.status).toBe(404);
    expect(await wrongMethod.json()).toEqual({ message: 'Not Found' });
  });

  it('answers quotes, control characters and SQL in the query text itself without error', async () => {
    for (const query of [
      "' OR 1=1 --",
      'a\u0000b\u0007c',
      '"unterminated',
      'AND OR NOT (',
      '🙂 émoji ünïcode',
      '*',
    ]) {
      const response = await post('/search', JSON.stringify({ query }));
      expect(response.status, query).toBe(200);
    }
  });

  it('POST /repos/{repo}/reindex says why it cannot run where no re-indexer is configured', async () => {
    const refused = await post('/repos/acme%2Fsample/reindex', '');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/no re-indexer configured/) });
    expect((await post('/repos/acme/unknown/reindex', '')).status).toBe(404);
  });
});
