import { describe, expect, it } from 'vitest';
import { openLanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { type Caller, LOCAL_CALLER } from '#api/auth/caller.ts';
import { MAX_READ_CHARS, MAX_READ_LINES, readIndexedFile } from '#api/mcp/read-file.ts';
import { makeChunk } from '#test/helpers/chunks.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

const metadata = { modelId: 'test-model@abc', dimension: 4, chunkerVersion: 'c1' };
const commitOf = () => 'abc123';

describe('readIndexedFile (the MCP read_file tool, over real LanceDB)', () => {
  const tempDir = useTempDirs();

  async function storeWith(chunks: Parameters<typeof makeChunk>[]) {
    const store = await openLanceChunkStore({ uri: await tempDir(), metadata });
    const made = chunks.map((args) => makeChunk(...args));
    await store.replaceFiles('acme/app', [...new Set(made.map((chunk) => chunk.path))], made);
    return store;
  }

  it('puts nested chunks and the gaps between them back in line order', async () => {
    const store = await storeWith([
      ['acme/app', 'src/a.ts', 1, 'class A {\n  one() {}\n  two() {}\n}', [1, 0, 0, 0]],
      ['acme/app', 'src/a.ts', 2, '  one() {}', [0, 1, 0, 0]],
      ['acme/app', 'src/a.ts', 7, 'export const b = 1;', [0, 0, 1, 0]],
    ]);
    const file = await readIndexedFile(store, LOCAL_CALLER, commitOf, { repo: 'acme/app', path: 'src/a.ts' });
    expect(file).toMatchObject({
      startLine: 1,
      endLine: 7,
      lastIndexedLine: 7,
      nextLine: null,
      commit: 'abc123',
    });
    expect(file.text).toBe('class A {\n  one() {}\n  two() {}\n}\n\n\nexport const b = 1;');
    const part = await readIndexedFile(store, LOCAL_CALLER, commitOf, {
      repo: 'acme/app',
      path: 'src/a.ts',
      startLine: 2,
      endLine: 3,
    });
    expect(part.text).toBe('  one() {}\n  two() {}');
    await store.close();
  });

  it('serves at most MAX_READ_LINES lines and MAX_READ_CHARS characters a call, and says where to go on', async () => {
    const long = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join('\n');
    const wide = 'x'.repeat(MAX_READ_CHARS * 3);
    const store = await storeWith([
      ['acme/app', 'src/long.ts', 1, long, [1, 0, 0, 0]],
      ['acme/app', 'src/wide.min.js', 1, `${wide}\nnext`, [0, 1, 0, 0]],
    ]);
    const first = await readIndexedFile(store, LOCAL_CALLER, commitOf, {
      repo: 'acme/app',
      path: 'src/long.ts',
    });
    expect(first.endLine - first.startLine + 1).toBe(MAX_READ_LINES);
    expect(first.nextLine).toBe(MAX_READ_LINES + 1);
    const last = await readIndexedFile(store, LOCAL_CALLER, commitOf, {
      repo: 'acme/app',
      path: 'src/long.ts',
      startLine: 900,
    });
    expect(last).toMatchObject({ endLine: 1000, nextLine: null });
    const minified = await readIndexedFile(store, LOCAL_CALLER, commitOf, {
      repo: 'acme/app',
      path: 'src/wide.min.js',
    });
    expect(minified.text.length).toBeLessThanOrEqual(MAX_READ_CHARS + 1);
    expect(minified).toMatchObject({ endLine: 1, nextLine: 2 });
    await store.close();
  });

  it('refuses repositories outside the grant, unsafe paths, unknown files and lines past the end', async () => {
    const store = await storeWith([['acme/app', 'src/a.ts', 1, 'export {};', [1, 0, 0, 0]]]);
    const narrow: Caller = { ...LOCAL_CALLER, access: { kind: 'some', repos: ['other/app'], owners: [] } };
    const read = (caller: Caller, request: { repo: string; path: string; startLine?: number }) =>
      readIndexedFile(store, caller, commitOf, request);
    await expect(read(narrow, { repo: 'acme/app', path: 'src/a.ts' })).rejects.toThrow(/does not grant/);
    await expect(read(LOCAL_CALLER, { repo: 'acme/app', path: '../a.ts' })).rejects.toThrow(/path/);
    await expect(read(LOCAL_CALLER, { repo: "acme/app' OR '1'='1", path: 'src/a.ts' })).rejects.toThrow(
      /repo/,
    );
    await expect(read(LOCAL_CALLER, { repo: 'acme/app', path: 'src/b.ts' })).rejects.toThrow(
      /not in the index/,
    );
    await expect(read(LOCAL_CALLER, { repo: 'acme/app', path: 'src/a.ts', startLine: 5 })).rejects.toThrow(
      /indexed up to line 1; line 5 is past it/,
    );
    await store.close();
  });
});
