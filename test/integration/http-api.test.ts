import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchApi } from '#api/search-api.ts';
import { indexDirectory } from '#engine/indexing/indexer.ts';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';
import { type LocalServices, openLocalServices } from '../../src/runtime/local-services.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';

describe('HTTP API through the local server (real sockets, same handler as Lambda)', () => {
  let work: string;
  let services: LocalServices;
  let server: LocalServer;
  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${server.url}/search`, { method: 'POST', headers, body });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-api-'));
    services = await openLocalServices({ home: join(work, 'home') });
    const root = await copySampleRepo(work);
    for await (const _ of indexDirectory(services.indexDeps, { root, repo: 'acme/sample' })) {
      // drain
    }
    server = await startLocalServer(createSearchApi({ ...services, logError: () => {} }), { port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('GET /health reports the model and the index', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { chunks: number };
    expect(body).toMatchObject({
      status: 'ok',
      model: services.embedder.modelId,
      dimension: services.embedder.dimension,
    });
    expect(body.chunks).toBeGreaterThan(0);
  });

  it('POST /search answers in the documented shape', async () => {
    const response = await post(
      JSON.stringify({ query: 'retry failed uploads', repo: ['acme/sample'], limit: 3 }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { tookMs: number; results: { path: string }[] };
    expect(typeof body.tookMs).toBe('number');
    expect(body.results).toHaveLength(3);
    for (const result of body.results) {
      expect(Object.keys(result).sort()).toEqual([
        'endLine',
        'language',
        'path',
        'repo',
        'score',
        'snippet',
        'startLine',
        'symbols',
      ]);
    }
    expect(body.results[0]?.path).toBe('src/upload/retry.ts');
  });

  it.each([
    ['not JSON', '{"query":', 400, /not valid JSON/],
    ['a JSON array', '[1,2]', 400, /Invalid search request/],
    ['no query', '{}', 400, /query/],
    ['an empty query', '{"query":"   "}', 400, /query must not be empty/],
    ['a query over 1,000 characters', JSON.stringify({ query: 'x'.repeat(1001) }), 400, /at most 1000/],
    ['an unknown field', '{"query":"x","repos":["a"]}', 400, /repos/],
    ['a wrong type', '{"query":42}', 400, /query must be a string/],
    ['a limit over 100', '{"query":"x","limit":101}', 400, /limit/],
    ['an injected repo', `{"query":"x","repo":"a' OR '1'='1"}`, 400, /not a repository name/],
    ['an injected path', `{"query":"x","path":"src/' OR 1=1 --"}`, 400, /path/],
    ['an unknown language', '{"query":"x","language":"cobol2"}', 400, /language must be one of/],
    ['an unknown mode', '{"query":"x","mode":"fuzzy"}', 400, /mode must be one of/],
    ['a bad glob', '{"query":"x","path":"src/{a,b"}', 400, /invalid glob/],
  ])('rejects %s with a 4xx and a message', async (_name, body, status, message) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('returns 413 for a body over 64 KB, 415 without JSON, 404 and 405 for wrong routes', async () => {
    expect((await post(JSON.stringify({ query: 'x', pad: 'y'.repeat(70_000) }))).status).toBe(413);
    expect((await post('{"query":"x"}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/search`)).status).toBe(405);
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
      const response = await post(JSON.stringify({ query }));
      expect(response.status, query).toBe(200);
    }
  });
});
