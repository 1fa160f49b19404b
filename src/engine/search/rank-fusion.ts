/**
 * Weighted Reciprocal Rank Fusion: hybrid search's ordering for models without a learned ranker, and for the
 * candidates beyond the ranked ones for models with one.
 */
import type { HybridFusion, ScoredChunk, StoredChunk } from '../types.ts';
import type { SearchHit } from './search.ts';

/** Equal weights and k = 60 (the value from the original RRF paper and LanceDB's default). */
export const DEFAULT_FUSION: HybridFusion = { k: 60, vectorWeight: 1, keywordWeight: 1 };

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
