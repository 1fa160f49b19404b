/**
 * `codesearch repos add|remove` as an operator runs it: its own process, over real HTTP to a server running
 * the API's handler with bearer tokens, the admin token in the environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import { createSearchApi } from '#api/search-api.ts';
import { runCli } from '#test/helpers/run-cli.ts';
import { localRepoAdmin } from '../../src/server/local-repo-admin.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from '../api/indexed-sample.ts';

describe('codesearch repos add|remove against an API', () => {
  let sample: IndexedSample;
  let server: LocalServer;
  let env: Record<string, string>;
  const keyText = newKeySetText();

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample', 'acme/other']);
    const auth = bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText }));
    server = await startLocalServer(
      createSearchApi({
        ...sample.services,
        auth,
        catalog: sample.catalog,
        admin: localRepoAdmin({ home: sample.services.home, modelDir: sample.services.modelDir }),
        logger: capturingLogger(),
      }),
      { port: 0 },
    );
    const token = async (scopes: ('search' | 'admin')[]) =>
      (
        await mintToken(parseKeySet(keyText, 'test'), {
          sub: 'ops',
          repos: ['acme/*'],
          scopes,
          ttlSeconds: 600,
        })
      ).token;
    env = { CODESEARCH_API_URL: server.url, CODESEARCH_TOKEN: await token(['search', 'admin']) };
  });

  afterAll(async () => {
    await server?.close();
    await sample?.close();
  });

  it('removes a repository, and reports what the API refuses', async () => {
    const removed = await runCli(['repos', 'remove', 'acme/other', '--json'], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ repo: 'acme/other', indexes: ['acme/other'] });
    // Removed by another process: this one's open table sees it within its read-consistency interval (1 s).
    await expect.poll(() => sample.services.store.countChunks('acme/other'), { timeout: 5000 }).toBe(0);
    expect(await sample.services.store.countChunks('acme/sample')).toBeGreaterThan(0);

    const again = await runCli(['repos', 'remove', 'acme/other'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/404 Repository acme\/other is not in the index/);
    const add = await runCli(['repos', 'add', 'acme/new', '--branch', 'dev'], env);
    expect(add.code).not.toBe(0);
    expect(add.stderr).toMatch(/409 .*codesearch index <dir> --repo acme\/new/);
    const tokenless = await runCli(['repos', 'remove', 'acme/sample'], { ...env, CODESEARCH_TOKEN: '' });
    expect(tokenless.stderr).toMatch(/CODESEARCH_TOKEN/);
    expect((await runCli(['repos', 'remove', "acme/x' OR 1=1"], env)).code).not.toBe(0);
  });
});
