/**
 * `POST /repos/{repo}/reindex` on the local server: the indexing runs in a child `codesearch index` process,
 * never on the server's event loop, and the server serves what the child committed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchApi } from '#api/search-api.ts';
import { type LocalReindexer, localReindexer } from '../../src/server/local-reindexer.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from '../api/indexed-sample.ts';

describe('re-indexing through the local server (real child process)', () => {
  let sample: IndexedSample;
  let server: LocalServer;
  let reindexer: LocalReindexer;
  const post = (path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // From the catalogue itself: GET /repos reads it at most every few seconds.
  const statusOf = async (repo: string) => (await sample.catalog.listRepos()).find((r) => r.repo === repo);

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample']);
    reindexer = localReindexer(sample.services.store, sample.catalog, sample.services);
    server = await startLocalServer(
      createSearchApi({ ...sample.services, catalog: sample.catalog, reindexer, logger: capturingLogger() }),
      { port: 0 },
    );
  });

  afterAll(async () => {
    await server?.close();
    reindexer?.stop();
    await reindexer?.idle();
    await sample?.close();
  });

  it('indexes in another process, and the server then finds what it indexed', async () => {
    // Given: a new file in the indexed tree, with many more to index so the run lasts a moment
    await writeFile(
      join(sample.root, 'src/zebra-stripes.ts'),
      'export function paintZebraStripes(canvas: Canvas) {\n  return canvas.stripes("black", "white");\n}\n',
    );
    for (let i = 0; i < 150; i++)
      await writeFile(join(sample.root, `src/filler-${i}.ts`), `export const filler${i} = ${i} * 2;\n`);

    // When: re-indexing is asked for through the API
    expect((await post('/repos/acme%2Fsample/reindex')).status).toBe(202);

    // Then: the run holds the index lock from a process that is not the server
    let seen = '';
    await expect
      .poll(
        async () => {
          seen = await readFile(join(sample.services.home, 'index-lock.json'), 'utf8').catch(() => '');
          return seen;
        },
        { timeout: 30_000, interval: 10 },
      )
      .toMatch(/"repo":"acme\/sample"/);
    expect((JSON.parse(seen) as { pid: number }).pid).not.toBe(process.pid);

    // And once it is done, the server's own search sees the new file
    await reindexer.idle();
    expect((await statusOf('acme/sample'))?.status).toBe('ready');
    const found = (await (await post('/search', { query: 'paint zebra stripes', limit: 3 })).json()) as {
      results: { path: string }[];
    };
    expect(found.results[0]?.path).toBe('src/zebra-stripes.ts');
  }, 120_000);

  it('stops a run that outlasts its time limit and records why', async () => {
    // Given: a re-indexer whose runs may take 50 ms (starting the CLI alone takes longer)
    const hasty = localReindexer(sample.services.store, sample.catalog, {
      ...sample.services,
      timeoutMs: 50,
    });

    // When
    await hasty.reindex('acme/sample');
    await hasty.idle();

    // Then
    const status = await statusOf('acme/sample');
    expect(status?.status).toBe('failed');
    expect(status?.errors.join('\n')).toMatch(/stopped after/);
  }, 60_000);
});
