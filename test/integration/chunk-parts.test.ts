/**
 * A window-re-scoring model's chunks are embedded with their parts (windows of lines, definitions' names) at
 * index time, through the content-addressed cache (real default model, real SQLite cache, real LanceDB
 * round trip): the parts are the vectors of exactly the texts search would embed, the chunk's vector is
 * their mean direction, a second run asks the model nothing, a damaged cache entry is embedded again, and
 * LanceDB gives the parts back as int8.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partVectorsOfCell } from '#adapters/lancedb/chunk-schema.ts';
import { openLanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { SqliteStateStore } from '#adapters/local/sqlite-state-store.ts';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR } from '#engine/embedding/index.ts';
import { embeddingCacheKey, embedWithCache, meanDirection } from '#engine/indexing/embed-with-cache.ts';
import { embeddingText, nameTexts, windowTexts } from '#engine/indexing/embedding-text.ts';
import { cosine } from '#engine/search/window-rescoring.ts';
import type { Chunk, Embedder } from '#engine/types.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

const tempDir = useTempDirs();

const chunk = (path: string, content: string, symbols: string[], startLine = 1): Chunk => ({
  id: `${path}:${startLine}`,
  repo: 'acme/app',
  path,
  language: 'typescript',
  startLine,
  endLine: startLine + content.split('\n').length - 1,
  symbols,
  content,
  contentHash: embeddingCacheKey('content', '', content),
});

const LONG = Array.from({ length: 30 }, (_, i) => `  const step${i} = compute(${i}); // line ${i}`).join(
  '\n',
);
const CHUNKS: Chunk[] = [
  chunk('src/short.ts', 'export function add(a: number, b: number) {\n  return a + b;\n}', ['add']),
  chunk('src/long.ts', `export function steps() {\n${LONG}\n}`, ['steps']),
  chunk('src/anonymous.ts', 'const x = 1;\nconst y = 2;', []),
];

describe('chunk parts at index time (default model, SQLite cache)', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await createOnnxEmbedder({ modelDir: DEFAULT_MODEL_DIR, workers: 1 });
  });
  afterAll(async () => {
    await embedder?.close();
  });

  it('embeds each chunk with the vectors of its windows and names, once', async () => {
    const options = embedder.windowRescoring;
    if (!options) throw new Error('the default model re-scores by windows');
    const cache = await SqliteStateStore.open(join(await tempDir(), 'state.db'));
    try {
      const before = embedder.stats.texts;
      const first = await embedWithCache(CHUNKS, embedder, cache, 'v1');
      // The short chunk is its only window; the long one has three windows; the anonymous one has no names.
      expect(first.chunks.map((c) => [c.parts?.windows.length, c.parts?.name !== undefined])).toEqual([
        [1, true],
        [3, true],
        [1, false],
      ]);
      // Windows and names only: a chunk of one window is its own text.
      expect(embedder.stats.texts - before).toBe(2 + 4 + 1);
      for (const c of first.chunks) {
        const expected = await embedder.embedDocuments([...windowTexts(c, options), ...nameTexts(c)]);
        const got = [...(c.parts?.windows ?? []), ...(c.parts?.name ? [c.parts.name] : [])];
        expect(got.map((v, i) => cosine(expected[i] as Float32Array, v))).toEqual(
          got.map(() => expect.closeTo(1, 5)),
        );
        const mean = meanDirection(expected.slice(0, c.parts?.windows.length));
        expect(cosine(mean, c.vector)).toBeCloseTo(1, 5);
        if (c.parts?.windows.length === 1) {
          const [own] = await embedder.embedDocuments([embeddingText(c)]);
          expect(cosine(own as Float32Array, c.vector)).toBeCloseTo(1, 5);
        }
      }
      const again = embedder.stats.texts;
      const second = await embedWithCache(CHUNKS, embedder, cache, 'v1');
      expect(embedder.stats.texts).toBe(again);
      expect(second.fromCache).toBe(CHUNKS.length);
      expect(second.chunks.map((c) => c.parts?.windows.length)).toEqual([1, 3, 1]);
    } finally {
      cache.close();
    }
  });

  it('gives identical code under other names its own name vector (the names are part of the cache key)', async () => {
    const cache = await SqliteStateStore.open(join(await tempDir(), 'state.db'));
    try {
      const body = 'close() {\n  this.socket.end();\n}';
      const twins = [
        chunk('src/conn.ts', body, ['Client.close'], 10),
        chunk('src/conn.ts', body, ['Server.close'], 40),
      ];
      const { chunks, embedded } = await embedWithCache(twins, embedder, cache, 'v1');
      expect(embedded).toBe(2);
      const [client, server] = chunks.map((c) => c.parts?.name as Float32Array);
      const [clientName, serverName] = await embedder.embedDocuments(['Client.close', 'Server.close']);
      expect(cosine(clientName as Float32Array, client as Float32Array)).toBeCloseTo(1, 5);
      expect(cosine(serverName as Float32Array, server as Float32Array)).toBeCloseTo(1, 5);
    } finally {
      cache.close();
    }
  });

  it('embeds a model without window re-scoring chunk by chunk, no parts, through the same cache', async () => {
    const plain: Embedder = { ...embedder, windowRescoring: undefined };
    const cache = await SqliteStateStore.open(join(await tempDir(), 'state.db'));
    try {
      const before = embedder.stats.texts;
      const first = await embedWithCache(CHUNKS, plain, cache, 'v1');
      expect(embedder.stats.texts - before).toBe(CHUNKS.length);
      expect(first.chunks.every((c) => c.parts === undefined)).toBe(true);
      const own = await embedder.embedDocuments(CHUNKS.map(embeddingText));
      first.chunks.forEach((c, i) => {
        expect(cosine(own[i] as Float32Array, c.vector)).toBeCloseTo(1, 5);
      });
      const again = await embedWithCache(CHUNKS, plain, cache, 'v1');
      expect(again.fromCache).toBe(CHUNKS.length);
      // An entry of another dimension is damaged: embedded again.
      const damaged = {
        getMany: async (wanted: readonly string[]) =>
          new Map([...(await cache.getMany(wanted)).keys()].map((key) => [key, new Float32Array(3)])),
        putMany: cache.putMany.bind(cache),
      };
      const redone = await embedWithCache(CHUNKS, plain, damaged, 'v1');
      expect([redone.embedded, redone.fromCache]).toEqual([CHUNKS.length, 0]);
    } finally {
      cache.close();
    }
  });

  it('reads a stored cell that is not whole vectors as no parts, so search embeds them again', () => {
    expect(partVectorsOfCell(new Uint8Array(3 * 256), 256)).toHaveLength(3);
    expect(partVectorsOfCell(new Uint8Array(256 + 7), 256)).toEqual([]);
    expect(partVectorsOfCell('not bytes', 256)).toEqual([]);
    expect(partVectorsOfCell(null, 256)).toEqual([]);
  });

  it('embeds a damaged cache entry again instead of trusting it', async () => {
    const cache = await SqliteStateStore.open(join(await tempDir(), 'state.db'));
    try {
      await embedWithCache(CHUNKS.slice(1, 2), embedder, cache, 'v1');
      let damagedEntries = 0;
      // Every entry read back as a plain vector: the shape a cache written for a model without parts holds.
      const damaged = {
        getMany: async (wanted: readonly string[]) => {
          const found = await cache.getMany(wanted);
          damagedEntries += found.size;
          return new Map([...found.keys()].map((key) => [key, new Float32Array(embedder.dimension)]));
        },
        putMany: cache.putMany.bind(cache),
      };
      const calls = embedder.stats.batches;
      const outcome = await embedWithCache(CHUNKS.slice(1, 2), embedder, damaged, 'v1');
      expect(damagedEntries).toBe(1);
      expect(outcome.embedded).toBe(1);
      expect(outcome.fromCache).toBe(0);
      expect(embedder.stats.batches).toBeGreaterThan(calls);
      expect(outcome.chunks[0]?.parts?.windows).toHaveLength(3);
    } finally {
      cache.close();
    }
  });

  it('stores the parts in LanceDB and gives them back with search results, as int8', async () => {
    const options = embedder.windowRescoring;
    if (!options) throw new Error('the default model re-scores by windows');
    const cache = await SqliteStateStore.open(join(await tempDir(), 'state.db'));
    const store = await openLanceChunkStore({
      uri: join(await tempDir(), 'lancedb'),
      metadata: { modelId: embedder.modelId, dimension: embedder.dimension, chunkerVersion: 'v1' },
    });
    try {
      const { chunks } = await embedWithCache(CHUNKS, embedder, cache, 'v1');
      await store.replaceFiles(
        'acme/app',
        CHUNKS.map((c) => c.path),
        chunks,
      );
      const query = await embedder.embedQuery('steps of the computation');
      const hits = await store.vectorSearch(query, { repos: ['acme/app'] }, 10);
      expect(hits).toHaveLength(3);
      for (const hit of hits) {
        const written = chunks.find((c) => c.id === hit.chunk.id);
        const windows = hit.chunk.parts?.windows ?? [];
        expect(windows.every((w) => w instanceof Int8Array && w.length === embedder.dimension)).toBe(true);
        expect(windows.map((w) => cosine(query, w))).toEqual(
          (written?.parts?.windows ?? []).map((w) => expect.closeTo(cosine(query, w), 2)),
        );
        expect(hit.chunk.parts?.name === undefined).toBe(written?.parts?.name === undefined);
      }
      const keyword = await store.keywordSearch('compute steps', { repos: ['acme/app'] }, 10);
      expect(keyword[0]?.chunk.parts?.windows).toHaveLength(3);
      // Listing and context reads leave the parts out: nothing there compares vectors.
      const listed = await store.fileChunks('acme/app', 'src/long.ts');
      expect(listed[0]?.parts).toBeUndefined();
    } finally {
      await store.close();
      cache.close();
    }
  });
});
