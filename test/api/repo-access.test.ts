import { describe, expect, it } from 'vitest';
import { openLanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { accessToSql, filterToSql } from '#adapters/lancedb/sql.ts';
import { accessAllows, describeAccess, parseRepoGrants } from '#engine/search/repo-access.ts';
import { makeChunk } from '#test/helpers/chunks.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

describe('repository grants', () => {
  it('parses names, owner wildcards and the global wildcard', () => {
    expect(parseRepoGrants(['acme/*', 'other/tool', 'solo', 'acme/*'])).toEqual({
      kind: 'some',
      repos: ['other/tool', 'solo'],
      owners: ['acme'],
    });
    expect(parseRepoGrants(['acme/*', '*'])).toEqual({ kind: 'all' });
    expect(parseRepoGrants([])).toEqual({ kind: 'some', repos: [], owners: [] });
  });

  it.each([["acme' OR '1'='1/*"], ['*/tool'], ['acme/**'], ['../*'], ['a/b/c'], ['acme/x*'], ['']])(
    'refuses the grant %j',
    (grant) => {
      expect(() => parseRepoGrants([grant])).toThrow();
    },
  );

  it("covers a granted repository's branches, and only its own", () => {
    const access = parseRepoGrants(['other/tool']);
    expect(accessAllows(access, 'other/tool@dev')).toBe(true);
    expect(accessAllows(access, 'Other/Tool@feat/X')).toBe(true);
    expect(accessAllows(access, 'other/tool2@dev')).toBe(false);
    expect(accessAllows(access, 'other/toolbox')).toBe(false);
  });

  it('allows exactly the granted repositories', () => {
    const access = parseRepoGrants(['acme/*', 'other/tool']);
    expect(accessAllows(access, 'acme/app')).toBe(true);
    expect(accessAllows(access, 'other/tool')).toBe(true);
    expect(accessAllows(access, 'other/tool2')).toBe(false);
    expect(accessAllows(access, 'acme')).toBe(false);
    expect(accessAllows(access, 'acmeco/app')).toBe(false);
    expect(describeAccess(access)).toBe(describeAccess(parseRepoGrants(['other/tool', 'acme/*'])));
  });

  it('reads every grant and name in one canonical spelling, lower case, as GitHub means them', () => {
    // Before, `CODERTOCAT/*` was compared as written here but case-insensitively by the registry and GitHub,
    // which is how it re-indexed `Codertocat/Hello-World` while searching it was forbidden.
    const shouting = parseRepoGrants(['CODERTOCAT/*', 'Other/Tool']);
    expect(shouting).toEqual({ kind: 'some', repos: ['other/tool'], owners: ['codertocat'] });
    for (const name of ['Codertocat/Hello-World', 'codertocat/hello-world', 'CODERTOCAT/HELLO-WORLD'])
      expect(accessAllows(shouting, name), name).toBe(true);
    expect(accessAllows(shouting, 'OTHER/TOOL')).toBe(true);
    expect(accessAllows(shouting, 'other/tool2')).toBe(false);
    expect(accessAllows(parseRepoGrants(['acme/*']), 'ACMECO/app')).toBe(false);
    expect(accessToSql(shouting)).toBe(
      "(repo IN ('other/tool') OR starts_with(repo, 'other/tool@') OR starts_with(repo, 'codertocat/'))",
    );
    expect(filterToSql({ repos: ['Acme/App'] })).toBe("repo IN ('acme/app')");
  });

  it('becomes one parenthesised clause of the WHERE, matching nothing when empty', () => {
    expect(accessToSql(parseRepoGrants(['acme/*', 'other/tool']))).toBe(
      "(repo IN ('other/tool') OR starts_with(repo, 'other/tool@') OR starts_with(repo, 'acme/'))",
    );
    expect(accessToSql(parseRepoGrants([]))).toBe('FALSE');
    expect(accessToSql(parseRepoGrants(['*']))).toBeUndefined();
    expect(filterToSql({ access: parseRepoGrants(['acme/*']), repos: ['acme/app'], symbol: "it's" })).toBe(
      "(starts_with(repo, 'acme/')) AND repo IN ('acme/app') AND array_has(symbols, 'it''s')",
    );
  });
});

describe('grants and symbols in real LanceDB queries', () => {
  const tempDir = useTempDirs();

  it('never returns rows outside the grant, whatever else the filter says', async () => {
    const store = await openLanceChunkStore({
      uri: await tempDir(),
      metadata: { modelId: 'test', dimension: 3, chunkerVersion: 'v' },
    });
    try {
      // (Written in GitHub's spelling on purpose: the store keeps one spelling, the canonical one.)
      for (const repo of ['Acme/App', 'acme/lib', 'AcmeCo/app', 'other/tool']) {
        await store.replaceFiles(
          repo,
          ['a.ts'],
          [
            makeChunk(repo, 'a.ts', 1, `function run() { return "${repo}"; }`, [1, 0, 0], {
              symbols: ['run', "it's"],
            }),
          ],
        );
      }
      const access = parseRepoGrants(['acme/*']);
      const repos = async (filter: Parameters<typeof store.listChunks>[0]) =>
        (await store.listChunks(filter, 100)).map((chunk) => chunk.repo).sort();
      expect(await repos({ access })).toEqual(['acme/app', 'acme/lib']);
      expect(await repos({ access, repos: ['other/tool'] })).toEqual([]);
      expect(await repos({ access: parseRepoGrants([]) })).toEqual([]);
      expect(await repos({ access, symbol: "it's" })).toEqual(['acme/app', 'acme/lib']);
      expect(await repos({ symbol: 'missing' })).toEqual([]);
      const vector = await store.vectorSearch(new Float32Array([1, 0, 0]), { access }, 10);
      expect(vector.map((hit) => hit.chunk.repo).sort()).toEqual(['acme/app', 'acme/lib']);
      const keyword = await store.keywordSearch('run', { access: parseRepoGrants(['other/tool']) }, 10);
      expect(keyword.map((hit) => hit.chunk.repo)).toEqual(['other/tool']);
      expect(Object.fromEntries(await store.repoChunkCounts())).toEqual({
        'acme/app': 1,
        'acme/lib': 1,
        'acmeco/app': 1,
        'other/tool': 1,
      });
      const [first] = await store.fileChunks('acme/app', 'a.ts');
      expect(await store.chunkVector(first?.id ?? '')).toEqual(new Float32Array([1, 0, 0]));
      expect(await store.chunkVector("x' OR '1'='1")).toBeUndefined();
      // Branch indexes: searched only when a branch is named, and covered by their repository's grant.
      await store.replaceFiles(
        'acme/app@dev',
        ['a.ts'],
        [makeChunk('acme/app@dev', 'a.ts', 1, 'function run() { return "dev"; }', [1, 0, 0])],
      );
      await store.replaceFiles(
        'acmeco/app@dev',
        ['a.ts'],
        [makeChunk('acmeco/app@dev', 'a.ts', 1, 'function run() { return "co"; }', [1, 0, 0])],
      );
      expect(await repos({ access })).toEqual(['acme/app', 'acme/lib']);
      expect(await repos({})).toEqual(['acme/app', 'acme/lib', 'acmeco/app', 'other/tool']);
      expect(await repos({ access, branch: 'dev' })).toEqual(['acme/app@dev']);
      expect(await repos({ access: parseRepoGrants(['acme/app']), branch: 'dev' })).toEqual(['acme/app@dev']);
      expect(
        await repos({ access: parseRepoGrants(['acme/app']), repos: ['acmeco/app'], branch: 'dev' }),
      ).toEqual([]);
      const onBranch = await store.vectorSearch(
        new Float32Array([1, 0, 0]),
        { repos: ['acme/app'], branch: 'dev' },
        10,
      );
      expect(onBranch.map((hit) => hit.chunk.repo)).toEqual(['acme/app@dev']);
      const defaults = await store.keywordSearch('run', {}, 10);
      expect(defaults.map((hit) => hit.chunk.repo).sort()).toEqual([
        'acme/app',
        'acme/lib',
        'acmeco/app',
        'other/tool',
      ]);
      const before = await store.dataVersion();
      await store.deleteRepo('ACMECO/APP');
      expect(await store.countChunks('acmeco/app')).toBe(0);
      expect(await store.dataVersion()).not.toBe(before);
    } finally {
      await store.close();
    }
  });
});
