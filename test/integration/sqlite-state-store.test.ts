import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '#adapters/local/sqlite-state-store.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

describe('SQLite state store (real node:sqlite file)', () => {
  const tempDir = useTempDirs();

  it('records, updates and forgets file hashes per repository, and survives reopening', async () => {
    // Given a store with two files in one repo and one in another
    const file = join(await tempDir(), 'state.sqlite');
    const store = await SqliteStateStore.open(file);
    const at = '2026-11-21T00:00:00.000Z';
    await store.applyChanges(
      'a/r',
      [
        { path: 'x.ts', hash: 'h1', chunkCount: 2, indexedAt: at },
        { path: 'y.ts', hash: 'h2', chunkCount: 1, indexedAt: at },
      ],
      [],
    );
    await store.applyChanges('b/r', [{ path: 'x.ts', hash: 'other', chunkCount: 1, indexedAt: at }], []);

    // When one file changes and the other is deleted, then the store is reopened
    await store.applyChanges('a/r', [{ path: 'x.ts', hash: 'h3', chunkCount: 4, indexedAt: at }], ['y.ts']);
    store.close();
    const reopened = await SqliteStateStore.open(file);

    // Then only the current state remains, per repository
    expect([...(await reopened.listFiles('a/r')).values()]).toEqual([
      { path: 'x.ts', hash: 'h3', chunkCount: 4, indexedAt: at },
    ]);
    expect((await reopened.listFiles('b/r')).get('x.ts')?.hash).toBe('other');
    expect(await reopened.listRepos()).toEqual([
      { repo: 'a/r', files: 1 },
      { repo: 'b/r', files: 1 },
    ]);
    reopened.close();
  });

  it('stores and returns embedding vectors exactly', async () => {
    const store = await SqliteStateStore.open(join(await tempDir(), 'state.sqlite'));
    const v = new Float32Array([0.25, -1.5, 3.125, Number.MIN_VALUE]);
    // A view at an odd offset must still be stored as just its own bytes.
    const backing = new Float32Array(8);
    backing.set([9, 9, 1, 2], 0);
    const view = new Float32Array(backing.buffer, 8, 2);
    await store.putMany([
      ['k1', v],
      ['k2', view],
    ]);
    const found = await store.getMany(['k1', 'k2', 'missing']);
    expect([...(found.get('k1') ?? [])]).toEqual([...v]);
    expect([...(found.get('k2') ?? [])]).toEqual([1, 2]);
    expect(found.has('missing')).toBe(false);
    store.close();
  });

  it('rolls back a failed batch: nothing of it is recorded', async () => {
    const store = await SqliteStateStore.open(join(await tempDir(), 'state.sqlite'));
    const bad = { path: 'b.ts', hash: null as unknown as string, chunkCount: 1, indexedAt: 'now' };
    await expect(
      store.applyChanges('r', [{ path: 'a.ts', hash: 'h', chunkCount: 1, indexedAt: 'now' }, bad], []),
    ).rejects.toThrow();
    expect((await store.listFiles('r')).size).toBe(0);
    store.close();
  });

  it('rewrites names to lower case once, and forgets a name two spellings of which were indexed', async () => {
    // Given file hashes written before names were canonical: one repository in one spelling, one in two
    const file = join(await tempDir(), 'state.sqlite');
    const store = await SqliteStateStore.open(file);
    store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const raw = new DatabaseSync(file);
    const insert = raw.prepare(
      "INSERT INTO file_hashes (repo, path, hash, chunk_count, indexed_at) VALUES (?, ?, 'h', 1, 'then')",
    );
    for (const [repo, path] of [
      ['Acme/Api', 'a.ts'],
      ['Acme/Api', 'b.ts'],
      ['App', 'x.ts'],
      ['app', 'x.ts'],
      ['app', 'y.ts'],
    ] as const)
      insert.run(repo, path);
    raw.close();

    // When they are rewritten
    const reopened = await SqliteStateStore.open(file);
    const forgotten = reopened.canonicaliseRepoNames();

    // Then the lone spelling is lowered; the doubled one is forgotten, so that the next run indexes it afresh
    expect(forgotten).toEqual(['app']);
    expect([...(await reopened.listFiles('acme/api')).keys()].sort()).toEqual(['a.ts', 'b.ts']);
    expect((await reopened.listFiles('app')).size).toBe(0);
    expect(await reopened.listRepos()).toEqual([{ repo: 'acme/api', files: 2 }]);
    expect(reopened.canonicaliseRepoNames()).toEqual([]);
    reopened.close();
  });
});
