/**
 * Vector search with a vector ranker, on the real default model over a real LanceDB index: the ranker
 * orders the vector side's candidates by the model's evidence and the chunks' roles, so a test that repeats
 * the words of the code it tests ranks below that code unless the query asks for a test; scores are the
 * ranker's softmax shares and each hit keeps its window cosine.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from '#engine/embedding/model-directory.ts';
import { indexDirectory } from '#engine/indexing/indexer.ts';
import { type SearchQuery, search } from '#engine/search/search.ts';
import type { Embedder, HybridRanker } from '#engine/types.ts';
import { type LocalServices, openLocalServices } from '../../src/runtime/local-services.ts';

const FILES: Record<string, string> = {
  'src/levenshtein.go': `package text

func levenshteinDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
`,
  'src/levenshtein_test.go': `package text

import "testing"

func TestLevenshteinDistance(t *testing.T) {
	for _, c := range []struct{ a, b string; distance int }{{"kitten", "sitting", 3}, {"", "abc", 3}} {
		if d := levenshteinDistance(c.a, c.b); d != c.distance {
			t.Errorf("levenshtein distance of %q and %q: %d, want %d", c.a, c.b, d, c.distance)
		}
	}
}
`,
};

describe('vector search with a vector ranker (default model, real LanceDB)', () => {
  let work: string;
  let services: LocalServices;
  const query = (text: string): SearchQuery => ({
    text,
    mode: 'vector',
    filter: { repos: ['acme/text'] },
    limit: 5,
  });
  const withRanker = (ranker: HybridRanker): Embedder => ({ ...services.embedder, vectorRanker: ranker });
  // The window cosine, and a strong dislike of tests nobody asked for.
  const ranker: HybridRanker = {
    features: ['window', 'test', 'testAsked'],
    center: [0, 0, 0],
    scale: [1, 1, 1],
    weights: [1, -5, 5],
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-vector-ranker-'));
    const root = join(work, 'repo');
    for (const [path, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    services = await openLocalServices({ home: join(work, 'home'), embedderWorkers: 1 });
    for await (const event of indexDirectory(services.indexDeps, { root, repo: 'acme/text' }))
      if (event.type === 'done') expect(event.summary.chunksWritten).toBeGreaterThanOrEqual(2);
  });
  afterAll(async () => {
    await services?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('puts the code above its test, unless the query asks for the test', async () => {
    const embedder = withRanker(ranker);
    const code = await search({ store: services.store, embedder }, query('levenshtein edit distance'));
    expect(code[0]?.chunk.path).toBe('src/levenshtein.go');
    const asked = await search(
      { store: services.store, embedder },
      query('the test for levenshtein edit distance'),
    );
    expect(asked[0]?.chunk.path).toBe('src/levenshtein_test.go');
  });

  it('scores hits by the ranker softmax share and keeps each hit’s window cosine', async () => {
    const hits = await search(
      { store: services.store, embedder: withRanker(ranker) },
      query('edit distance'),
    );
    const shares = hits.map((h) => h.score);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    for (const hit of hits) {
      expect(hit.vectorScore).toBeGreaterThan(-1);
      expect(hit.vectorScore).toBeLessThanOrEqual(1);
    }
    // Without a ranker, vector search scores by the window cosine itself.
    const plain = await search(
      { store: services.store, embedder: { ...services.embedder, vectorRanker: undefined } },
      query('edit distance'),
    );
    for (const hit of plain) expect(hit.score).toBe(hit.vectorScore);
  });

  it('refuses a model whose vector ranker uses the keyword index', () => {
    const config = {
      id: 'x',
      dimension: 4,
      pooling: 'none',
      normalize: true,
      maxTokens: 16,
      windowRescoring: { windowLines: 12 },
      vectorRanker: { features: ['keyword'], center: [0], scale: [1], weights: [1] },
    };
    expect(() => parseModelConfig(JSON.stringify(config), 'codesearch-model.json')).toThrow(
      /vector ranker uses only/,
    );
    const { vectorRanker: _, windowRescoring: __, ...plain } = config;
    expect(() =>
      parseModelConfig(
        JSON.stringify({ ...plain, vectorRanker: { ...config.vectorRanker, features: ['window'] } }),
        'm',
      ),
    ).toThrow(/vectorRanker needs windowRescoring/);
  });
});
