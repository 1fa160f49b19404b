import { describe, expect, it } from 'vitest';
import { DEFAULT_FUSION, fuseRrf, search } from '#engine/search/search.ts';
import type { ChunkStore, Embedder, ScoredChunk, StoredChunk } from '#engine/types.ts';

const chunk = (id: string): StoredChunk => ({
  id,
  repo: 'r',
  path: `${id}.ts`,
  language: 'typescript',
  startLine: 1,
  endLine: 2,
  symbols: [],
  content: id,
});
const ranked = (...ids: string[]): ScoredChunk[] => ids.map((id, i) => ({ chunk: chunk(id), score: 10 - i }));

describe('weighted reciprocal rank fusion', () => {
  it('weighs both sides equally with k = 60 by default, rank 1 on both sides scoring 1', () => {
    const hits = fuseRrf(ranked('a', 'b'), ranked('a', 'c'));
    expect(hits[0]?.chunk.id).toBe('a');
    expect(hits[0]?.score).toBeCloseTo(1, 10);
    expect(fuseRrf(ranked('a', 'b'), ranked('a', 'c'), DEFAULT_FUSION)).toEqual(hits);
  });

  it('lets the keyword side win a disagreement when the vector side weighs less', () => {
    // vector: v1 first; keyword: k1 first — equal weights tie (vector order wins), a lighter vector side loses
    const vector = ranked('v1', 'k1');
    const keyword = ranked('k1', 'v1');
    expect(fuseRrf(vector, keyword)[0]?.chunk.id).toBe('v1');
    expect(fuseRrf(vector, keyword, { k: 10, vectorWeight: 0.5, keywordWeight: 1 })[0]?.chunk.id).toBe('k1');
    const top = fuseRrf(ranked('x'), ranked('x'), { k: 10, vectorWeight: 0.5, keywordWeight: 1 })[0];
    expect(top?.score).toBeCloseTo(1, 10);
  });

  it('is what hybrid search uses, with the embedder’s settings', async () => {
    // prepare: a store whose two sides disagree, and an embedder that prefers the keyword side
    const store = {
      vectorSearch: async () => ranked('v1', 'k1'),
      keywordSearch: async () => ranked('k1', 'v1'),
    } as unknown as ChunkStore;
    const embedder = (fusion?: Embedder['fusion']) =>
      ({ embedQuery: async () => new Float32Array(2), ...(fusion ? { fusion } : {}) }) as unknown as Embedder;
    const query = { text: 'q', mode: 'hybrid' as const, filter: {}, limit: 2 };
    // act
    const equal = await search({ store, embedder: embedder() }, query);
    const keywordHeavy = await search(
      { store, embedder: embedder({ k: 10, vectorWeight: 0.5, keywordWeight: 1 }) },
      query,
    );
    // assess
    expect(equal.map((h) => h.chunk.id)).toEqual(['v1', 'k1']);
    expect(keywordHeavy.map((h) => h.chunk.id)).toEqual(['k1', 'v1']);
  });
});
