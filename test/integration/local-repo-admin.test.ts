/**
 * `DELETE /repos/{repo}` on `codesearch serve` (the local admin runs `codesearch remove` as a child), and
 * `PUT /repos/{repo}`, which has nothing to register locally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '#api/http-types.ts';
import { createSearchApi } from '#api/search-api.ts';
import { localRepoAdmin } from '../../src/server/local-repo-admin.ts';
import { apiGatewayEvent } from '../api/http-event.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from '../api/indexed-sample.ts';

describe('the admin routes on the local server', () => {
  let sample: IndexedSample;
  let api: HttpHandler;
  const logger = capturingLogger();

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample', 'acme/sample@dev', 'other/kept']);
    api = createSearchApi({
      ...sample.services,
      catalog: sample.catalog,
      admin: localRepoAdmin({ home: sample.services.home, modelDir: sample.services.modelDir }),
      logger,
    });
  });

  afterAll(async () => {
    await sample?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const result = await api(
      apiGatewayEvent(method, path, { body: body === undefined ? undefined : JSON.stringify(body) }),
    );
    return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
  };

  it('removes a repository with its branch indexes, and leaves the others', async () => {
    const removed = await call('DELETE', '/repos/acme%2Fsample');
    expect(removed).toEqual({
      status: 202,
      body: { repo: 'acme/sample', indexes: ['acme/sample', 'acme/sample@dev'], status: 'removing' },
    });
    const listed = async () =>
      ((await call('GET', '/repos')).body.repos as { repo: string }[]).map((info) => info.repo);
    // Removed by another process: the server's open table sees it within its read-consistency interval.
    await expect.poll(listed, { timeout: 5000 }).toEqual(['other/kept']);
    await expect.poll(() => sample.services.store.countChunks('acme/sample@dev'), { timeout: 5000 }).toBe(0);
    expect((await call('DELETE', '/repos/acme/sample')).status).toBe(404);
    expect((await call('DELETE', "/repos/acme'x")).status).toBe(400);
  });

  it('says how a local repository is registered instead of registering one', async () => {
    const put = await call('PUT', '/repos/acme/new', { branches: ['dev'] });
    expect(put.status).toBe(409);
    expect(String(put.body.error)).toContain('codesearch index <dir> --repo acme/new');
    expect(logger.errors).toEqual([]);
  });
});
