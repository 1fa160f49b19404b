/**
 * Search over the chunk store: `vector` (embedding cosine), `keyword` (BM25 over identifier-split terms) and
 * `hybrid` (both, fused with Reciprocal Rank Fusion — rank-based, so the two incomparable score scales never
 * need calibrating — or, when the model ships one, ordered by its learned ranker: hybrid-ranker.ts). When the
 * model asks for it, the vector side's best candidates (and in hybrid search the keyword side's too) are
 * re-scored by their best window of lines before ranking (window-rescoring.ts).
 */
import type { ChunkStore, Embedder, HybridFusion, ScoredChunk, StoredChunk } from '../types.ts';
import type { SearchFilter } from './filters.ts';
import { rankHybrid } from './hybrid-ranker.ts';
import { rescoreForHybrid, rescoreVectorSide } from './window-rescoring.ts';

export const SEARCH_MODES = ['hybrid', 'vector', 'keyword'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface SearchQuery {
  readonly text: string;
  readonly mode: SearchMode;
  readonly filter: SearchFilter;
  readonly limit: number;
}

export interface SearchHit {
  readonly chunk: StoredChunk;
  /**
   * Hybrid: RRF score scaled so that rank 1 on both sides is 1.0, or with a learned ranker its softmax share
   * among the ranked candidates (0 beyond them). Vector: cosine. Keyword: BM25.
   */
  readonly score: number;
  readonly vectorScore?: number;
  readonly keywordScore?: number;
}

export interface SearchDeps {
  readonly store: ChunkStore;
  readonly embedder: Embedder;
}

/** Equal weights and k = 60 (the value from the original RRF paper and LanceDB's default). */
export const DEFAULT_FUSION: HybridFusion = { k: 60, vectorWeight: 1, keywordWeight: 1 };

export async function search(deps: SearchDeps, query: SearchQuery): Promise<SearchHit[]> {
  const rescoring = deps.embedder.windowRescoring;
  switch (query.mode) {
    case 'vector': {
      const side = await vectorSide(deps, query, Math.max(query.limit, rescoring?.depth ?? 0));
      const ranked = rescoring
        ? await rescoreVectorSide(deps.embedder, side.query, side.hits, rescoring)
        : side.hits;
      return ranked.slice(0, query.limit).map(({ chunk, score }) => ({ chunk, score, vectorScore: score }));
    }
    case 'keyword':
      return (await deps.store.keywordSearch(query.text, query.filter, query.limit)).map(
        ({ chunk, score }) => ({
          chunk,
          score,
          keywordScore: score,
        }),
      );
    case 'hybrid': {
      // Each side ranks more candidates than asked for, so a chunk ranked moderately by both can win.
      const depth = Math.max(query.limit * 3, 30);
      const [side, keyword] = await Promise.all([
        vectorSide(deps, query, depth),
        deps.store.keywordSearch(query.text, query.filter, depth),
      ]);
      const ranker = deps.embedder.hybridRanker;
      if (ranker && rescoring) {
        const ranked = await rankHybrid(
          deps.embedder,
          { text: query.text, vector: side.query },
          side.hits,
          keyword,
          ranker,
          rescoring,
          (vector, rest) => fuseRrf(vector, rest, deps.embedder.fusion),
        );
        return ranked.slice(0, query.limit);
      }
      const vector = rescoring
        ? await rescoreForHybrid(deps.embedder, side.query, side.hits, keyword, rescoring)
        : side.hits;
      return fuseRrf(vector, keyword, deps.embedder.fusion).slice(0, query.limit);
    }
  }
}

/**
 * What, besides the index and the request, decides the order of results: the model and how it asks search to
 * rank (fusion, window re-scoring, ranker). Result caches key on it, so a deploy that only refits the ranker
 * never serves pages ranked the old way.
 */
export function rankingSettings(embedder: Embedder): unknown {
  return {
    model: embedder.modelId,
    fusion: embedder.fusion ?? null,
    windowRescoring: embedder.windowRescoring ?? null,
    hybridRanker: embedder.hybridRanker ?? null,
  };
}

async function vectorSide(
  deps: SearchDeps,
  query: SearchQuery,
  limit: number,
): Promise<{ query: Float32Array; hits: ScoredChunk[] }> {
  const vector = await deps.embedder.embedQuery(query.text);
  return { query: vector, hits: await deps.store.vectorSearch(vector, query.filter, limit) };
}

/**
 * Weighted Reciprocal Rank Fusion of two ranked lists; ties keep the vector side's order. The model may set
 * the weights and k (its `hybrid` block in codesearch-model.json); otherwise both sides count equally.
 */
export function fuseRrf(
  vector: readonly ScoredChunk[],
  keyword: readonly ScoredChunk[],
  fusion: HybridFusion = DEFAULT_FUSION,
): SearchHit[] {
  const { k, vectorWeight, keywordWeight } = fusion;
  const fused = new Map<
    string,
    { chunk: StoredChunk; rrf: number; vectorScore?: number; keywordScore?: number; order: number }
  >();
  const add = (list: readonly ScoredChunk[], side: 'vectorScore' | 'keywordScore', weight: number) => {
    list.forEach(({ chunk, score }, rank) => {
      const entry = fused.get(chunk.id) ?? { chunk, rrf: 0, order: fused.size };
      entry.rrf += weight / (k + rank + 1);
      entry[side] = score;
      fused.set(chunk.id, entry);
    });
  };
  add(vector, 'vectorScore', vectorWeight);
  add(keyword, 'keywordScore', keywordWeight);
  // Rank 1 on both sides scores 1.0, whatever the weights.
  const best = (vectorWeight + keywordWeight) / (k + 1);
  return [...fused.values()]
    .sort((a, b) => b.rrf - a.rrf || a.order - b.order)
    .map(({ chunk, rrf, vectorScore, keywordScore }) => ({
      chunk,
      score: rrf / best,
      vectorScore,
      keywordScore,
    }));
}
