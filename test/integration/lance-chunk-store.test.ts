import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { describe, expect, it } from 'vitest';
import { chunkSchema } from '#adapters/lancedb/chunk-schema.ts';
import {
  MAX_VECTOR_INDEX_SEGMENTS,
  MAX_VECTOR_INDEX_SEGMENTS_EVER,
  openLanceChunkStore,
} from '#adapters/lancedb/lance-chunk-store.ts';
import { IndexMismatchError } from '#engine/errors.ts';
import { parsePathFilter } from '#engine/search/filters.ts';
import { makeChunk } from '#test/helpers/chunks.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

const metadata = { modelId: 'test-model@abc', dimension: 4, chunkerVersion: 'c1' };

describe('LanceDB chunk store (real LanceDB on local disk)', () => {
  const tempDir = useTempDirs();

  async function storeWithRows() {
    const uri = await tempDir();
    const store = await openLanceChunkStore({ uri, metadata });
    await store.replaceFiles(
      'org/app',
      ['src/upload.ts', 'src/style.css'],
      [
        makeChunk('org/app', 'src/upload.ts', 1, 'export function retryFailedUpload() {}', [1, 0, 0, 0], {
          symbols: ['retryFailedUpload'],
        }),
        makeChunk('org/app', 'src/style.css', 1, '.button { color: red }', [0, 1, 0, 0], { language: 'css' }),
      ],
    );
    await store.replaceFiles(
      'org/lib',
      ['lib/retry.py'],
      [
        makeChunk('org/lib', 'lib/retry.py', 3, 'def retry_upload(): pass', [0.9, 0.1, 0, 0], {
          language: 'python',
          symbols: ['retry_upload'],
        }),
      ],
    );
    return { uri, store };
  }

  it('finds chunks by vector and by split identifiers, with filters', async () => {
    const { store } = await storeWithRows();

    const byVector = await store.vectorSearch(Float32Array.from([1, 0, 0, 0]), {}, 10);
    expect(byVector.map((hit) => hit.chunk.path)).toEqual(['src/upload.ts', 'lib/retry.py', 'src/style.css']);
    expect(byVector[0]?.score).toBeCloseTo(1, 5);

    const byKeyword = await store.keywordSearch('retry upload', {}, 10);
    expect(byKeyword.map((hit) => hit.chunk.path).sort()).toEqual(['lib/retry.py', 'src/upload.ts']);
    expect(byKeyword[0]?.chunk.symbols.length).toBe(1);

    expect((await store.keywordSearch('retry', { repos: ['org/lib'] }, 10)).map((h) => h.chunk.repo)).toEqual(
      ['org/lib'],
    );
    expect(
      (await store.vectorSearch(Float32Array.from([1, 0, 0, 0]), { language: 'css' }, 10)).map(
        (h) => h.chunk.path,
      ),
    ).toEqual(['src/style.css']);
    expect(
      (
        await store.vectorSearch(
          Float32Array.from([1, 0, 0, 0]),
          { path: parsePathFilter('src/**/*.ts') },
          10,
        )
      ).length,
    ).toBe(1);
    expect(
      (await store.vectorSearch(Float32Array.from([1, 0, 0, 0]), { path: parsePathFilter('lib/') }, 10))
        .length,
    ).toBe(1);
    await store.close();
  });

  it('treats hostile filter values as literals (no injection)', async () => {
    const { store } = await storeWithRows();
    // These bypass the engine's validation on purpose: the adapter's quoting alone must hold.
    for (const repo of ["x' OR '1'='1", "org/app' OR repo LIKE '%", "'); DROP TABLE chunks; --"]) {
      expect(await store.vectorSearch(Float32Array.from([1, 0, 0, 0]), { repos: [repo] }, 10)).toEqual([]);
      expect(await store.keywordSearch('retry', { repos: [repo] }, 10)).toEqual([]);
    }
    expect(await store.countChunks()).toBe(3);
    await store.close();
  });

  it('replaces a file’s chunks in one commit and deletes files given without chunks', async () => {
    const { store } = await storeWithRows();
    // When upload.ts is re-chunked into two chunks and style.css is removed
    await store.replaceFiles(
      'org/app',
      ['src/upload.ts'],
      [
        makeChunk('org/app', 'src/upload.ts', 1, 'export function retryFailedUpload() {}', [1, 0, 0, 0]),
        makeChunk('org/app', 'src/upload.ts', 3, 'export function cancelUpload() {}', [0, 0, 1, 0]),
      ],
    );
    await store.replaceFiles('org/app', ['src/style.css'], []);
    // Then the repo holds exactly the new chunks, and the other repo is untouched
    expect(await store.countChunks('org/app')).toBe(2);
    expect(await store.countChunks('org/lib')).toBe(1);
    expect((await store.keywordSearch('color red button', {}, 10)).length).toBe(0);
    // And writing the same chunks again adds no duplicates
    await store.replaceFiles(
      'org/app',
      ['src/upload.ts'],
      [
        makeChunk('org/app', 'src/upload.ts', 1, 'export function retryFailedUpload() {}', [1, 0, 0, 0]),
        makeChunk('org/app', 'src/upload.ts', 3, 'export function cancelUpload() {}', [0, 0, 1, 0]),
      ],
    );
    expect(await store.countChunks('org/app')).toBe(2);
    await store.optimize();
    expect((await store.keywordSearch('cancel', {}, 10)).map((h) => h.chunk.startLine)).toEqual([3]);
    await store.close();
  });

  it('rebuilds the vector index as one segment once incremental optimizes have split it, at linear cost', async () => {
    const uri = await tempDir();
    const store = await openLanceChunkStore({ uri, metadata, vectorIndexMinRows: 300 });
    // A deterministic spread of 4-d vectors: enough rows for the index to train on.
    const vectorOf = (i: number) => [
      Math.sin(i),
      Math.cos(i * 1.3),
      Math.sin(i * 0.7 + 1),
      Math.cos(i * 0.2),
    ];
    const file = (n: number, rows: number) =>
      Array.from({ length: rows }, (_, i) =>
        makeChunk(
          'org/app',
          `src/f${n}.ts`,
          i * 3 + 1,
          `export const v${n}_${i} = ${i};`,
          vectorOf(n * 1000 + i),
        ),
      );
    await store.replaceFiles('org/app', ['src/f0.ts'], file(0, 400));
    await store.optimize();
    const table = await (await lancedb.connect(uri)).openTable('chunks');
    const segments = async () => {
      await table.checkoutLatest();
      return (await table.listIndices()).find((index) => index.name === 'vector_idx')?.numSegments ?? 0;
    };
    expect(await segments()).toBe(1);
    const grow = async (from: number, rounds: number, rows: number) => {
      const seen: number[] = [];
      for (let n = from; n < from + rounds; n++) {
        await store.replaceFiles('org/app', [`src/f${n}.ts`], file(n, rows));
        await store.optimize();
        seen.push(await segments());
      }
      return seen;
    };
    // Growing by half (400 → 640 rows in 60-row steps): a segment per optimize, then one again past four.
    expect(await grow(1, 4, 60)).toEqual([2, 3, 4, 1]);
    // Growing by a row at a time: segments pile up to sixteen before a rebuild, whatever the growth.
    const trickle = await grow(5, MAX_VECTOR_INDEX_SEGMENTS_EVER, 1);
    expect(Math.max(...trickle)).toBe(MAX_VECTOR_INDEX_SEGMENTS_EVER);
    expect(trickle.at(-1)).toBe(1);
    expect(MAX_VECTOR_INDEX_SEGMENTS).toBe(4);
    // And it still finds a row added last, exactly
    const last = 4 + MAX_VECTOR_INDEX_SEGMENTS_EVER;
    const [hit] = await store.vectorSearch(Float32Array.from(vectorOf(last * 1000)), {}, 1);
    expect(hit?.chunk.content).toBe(`export const v${last}_0 = 0;`);
    table.close();
    await store.close();
  });

  it('keeps row ids through compaction, so optimize() need not remap the indexes onto moved rows', async () => {
    const { uri, store } = await storeWithRows();
    await store.replaceFiles(
      'org/app',
      ['src/more.ts'],
      [makeChunk('org/app', 'src/more.ts', 1, 'x', [0, 0, 1, 0])],
    );
    const table = await (await lancedb.connect(uri)).openTable('chunks');
    const rowIds = async () => {
      await table.checkoutLatest();
      const rows = await table.query().select(['id']).withRowId().toArray();
      return new Map(rows.map((row) => [String(row.id), BigInt(row._rowid)]));
    };
    const before = await rowIds();
    expect((await table.stats()).fragmentStats.numFragments).toBeGreaterThan(1);
    await store.optimize();
    await table.checkoutLatest();
    // The commits' fragments became one (rows moved), and every row kept its id.
    expect((await table.stats()).fragmentStats.numFragments).toBe(1);
    expect(await rowIds()).toEqual(before);
    table.close();
    await store.close();
  });

  it('refuses to open an index built with another model or dimension', async () => {
    const { uri, store } = await storeWithRows();
    await store.close();
    await expect(
      openLanceChunkStore({ uri, metadata: { ...metadata, modelId: 'other@123' } }),
    ).rejects.toThrow(IndexMismatchError);
    await expect(openLanceChunkStore({ uri, metadata: { ...metadata, dimension: 8 } })).rejects.toThrow(
      /dimension 4 \(this run uses 8\)/,
    );
    const same = await openLanceChunkStore({ uri, metadata });
    expect(await same.countChunks()).toBe(3);
    await same.close();
  });

  it('rejects a vector of the wrong dimension before writing anything', async () => {
    const { store } = await storeWithRows();
    await expect(
      store.replaceFiles(
        'org/app',
        ['src/upload.ts'],
        [makeChunk('org/app', 'src/upload.ts', 1, 'x', [1, 0])],
      ),
    ).rejects.toThrow(/2-d vector, index expects 4/);
    expect(await store.countChunks('org/app')).toBe(2);
    await store.close();
  });

  it('names its table in the data version, so two tables at the same version never share cached results', async () => {
    const uri = await tempDir();
    const first = await openLanceChunkStore({ uri, metadata, tableName: 'chunks_a' });
    const second = await openLanceChunkStore({ uri, metadata, tableName: 'chunks_b' });
    // Read beside a running count, as /health does
    const [, a] = await Promise.all([first.countChunks(), first.dataVersion()]);
    const b = await second.dataVersion();
    expect(a).not.toBe(b);
    expect(a.replace('chunks_a', '')).toBe(b.replace('chunks_b', ''));
    await first.close();
    await second.close();
  });

  describe('opening while another process creates the table', () => {
    /** What LanceDB leaves between a new table's transaction file and its first manifest. */
    async function halfCreatedTable(uri: string): Promise<void> {
      const transactions = join(uri, 'chunks.lance', '_transactions');
      await mkdir(transactions, { recursive: true });
      await writeFile(join(transactions, '0-6b0f3a.txn'), 'pending');
    }

    it('waits for the other creator and opens its table, checking its model', async () => {
      const uri = await tempDir();
      await halfCreatedTable(uri);
      // Given: another process finishes creating the table (for another model) a moment later
      const theirs = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const connection = await lancedb.connect(uri);
        await connection.createEmptyTable('chunks', chunkSchema({ ...metadata, modelId: 'theirs@1' }), {
          mode: 'create',
        });
        connection.close();
      })();
      // When / Then: this process opens theirs rather than failing or replacing it
      await expect(openLanceChunkStore({ uri, metadata })).rejects.toThrow(/model "theirs@1"/);
      await theirs;
    });

    it('creates the table over a creation that stopped before its first version', async () => {
      const uri = await tempDir();
      await halfCreatedTable(uri);
      const store = await openLanceChunkStore({ uri, metadata });
      await store.replaceFiles(
        'org/app',
        ['a.ts'],
        [makeChunk('org/app', 'a.ts', 1, 'const a = 1;', [1, 0, 0, 0])],
      );
      expect(await store.countChunks()).toBe(1);
      await store.close();
    });

    it('lets concurrent openers of a fresh location share one table', { timeout: 60_000 }, async () => {
      // Several rounds: the races (listed before the first manifest, two key declarations at once) are
      // a few milliseconds wide.
      for (let round = 0; round < 30; round++) {
        const uri = await tempDir();
        const stores = await Promise.all(
          Array.from({ length: 6 }, () => openLanceChunkStore({ uri, metadata, readConsistencySeconds: 0 })),
        );
        await stores[0]?.replaceFiles(
          'org/app',
          ['a.ts'],
          [makeChunk('org/app', 'a.ts', 1, 'x', [1, 0, 0, 0])],
        );
        for (const store of stores) expect(await store.countChunks()).toBe(1);
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('declares the primary key a creator stopped before declaring', async () => {
      const uri = await tempDir();
      const connection = await lancedb.connect(uri);
      await connection.createEmptyTable('chunks', chunkSchema(metadata), { mode: 'create' });
      const store = await openLanceChunkStore({ uri, metadata });
      await store.close();
      const schema = await (await connection.openTable('chunks')).schema();
      expect(schema.fields.find((field) => field.name === 'id')?.metadata.size).toBe(1);
      connection.close();
    });
  });
});
