import { describe, expect, it } from 'vitest';
import { featureRows, RANKER_FEATURES, type RankingCandidate } from '#engine/search/ranker-features.ts';
import type { StoredChunk } from '#engine/types.ts';

const chunk = (id: string, path: string, symbols: string[], lines: number): StoredChunk => ({
  id,
  repo: 'acme/app',
  path,
  language: 'typescript',
  startLine: 10,
  endLine: 10 + lines - 1,
  symbols,
  content: '',
});

// prepare: a query, a candidate both sides found, one only the vector side found, one only BM25 found
const QUERY = 'Retry a failed upload';
const CANDIDATES: RankingCandidate[] = [
  {
    chunk: chunk('a', 'src/upload.ts', ['retryUpload', 'sleep'], 20),
    window: 0.6,
    name: 0.5,
    keyword: { score: 4, rank: 1 },
  },
  { chunk: chunk('b', 'src/net/retry.ts', ['backoff'], 1), window: 0.8, name: 0.2 },
  { chunk: chunk('c', 'src/table.ts', [], 5), window: 0.1, name: 0, keyword: { score: 8, rank: 0 } },
];

describe('ranker features', () => {
  it('computes every feature of every candidate, relative ones against the whole candidate set', () => {
    const rows = featureRows(QUERY, CANDIDATES, RANKER_FEATURES);
    const named = rows.map((row) => Object.fromEntries(RANKER_FEATURES.map((f, i) => [f, row[i]])));
    expect(named[0]).toEqual({
      window: 0.6,
      windowGap: expect.closeTo(-0.2, 10),
      windowRank: 1 / 2,
      keyword: 0.5,
      keywordFound: 1,
      keywordRank: 1 / 2,
      lines: expect.closeTo(Math.log(20), 10),
      nameOverlap: expect.closeTo(2 / 3, 10), // retry, upload of retry, fail, upload
      pathOverlap: expect.closeTo(1 / 3, 10), // upload
      symbols: expect.closeTo(Math.log(3), 10),
      name: 0.5,
      nameGap: 0,
      test: 0,
      testAsked: 0,
      exampleOrDocs: 0,
      exampleOrDocsAsked: 0,
    });
    expect(named[1]).toMatchObject({
      windowGap: 0,
      windowRank: 1,
      keyword: 0,
      keywordFound: 0,
      keywordRank: 0,
    });
    expect(named[1]?.lines).toBe(0);
    expect(named[1]?.pathOverlap).toBeCloseTo(1 / 3, 10);
    expect(named[2]).toMatchObject({
      windowRank: 1 / 3,
      keyword: 1,
      keywordRank: 1,
      nameOverlap: 0,
      symbols: 0,
    });
  });

  it('gives the columns in the order the ranker lists them', () => {
    const rows = featureRows(QUERY, CANDIDATES, ['keywordFound', 'window']);
    expect(rows.map((r) => [...r])).toEqual([
      [1, 0.6],
      [0, 0.8],
      [1, 0.1],
    ]);
  });

  it('has no keyword share when BM25 found nothing', () => {
    const rows = featureRows(
      'anything',
      [{ chunk: chunk('x', 'x.ts', [], 3), window: 0.2, name: 0 }],
      ['keyword'],
    );
    expect([...(rows[0] ?? [])]).toEqual([0]);
  });
});
