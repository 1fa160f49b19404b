/**
 * Search over the chunk store: `vector` (embedding cosine), `keyword` (BM25 over identifier-split terms) and
 * `hybrid` (both, fused with Reciprocal Rank Fusion — rank-based, so the two incomparable score scales never
 * need calibrating — or, when the model ships one, ordered by its learned ranker: hybrid-ranker.ts). When the
 * model asks for it, the vector side's best candidates (and in hybrid search the keyword side's too) are
 * re-scored by their best window of lines before ranking (window-rescoring.ts).
 */
import { sha256Hex } from '../hashing.ts';
import type { ChunkStore, Embedder, ScoredChunk, StoredChunk } from '../types.ts';
import type { SearchFilter } from './filters.ts';
import { rankHybrid, rankVector } from './hybrid-ranker.ts';
import { fuseRrf } from './rank-fusion.ts';
import { rescoreForHybrid, rescoreVectorSide } from './window-rescoring.ts';

export { DEFAULT_FUSION, fuseRrf } from './rank-fusion.ts';

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
   * among the ranked candidates (0 beyond them). Vector: cosine, or with a vector ranker its softmax share.
   * Keyword: BM25.
   */
  readonly score: number;
  readonly vectorScore?: number;
  readonly keywordScore?: number;
}

export interface SearchDeps {
  readonly store: ChunkStore;
  readonly embedder: Embedder;
}

export async function search(deps: SearchDeps, query: SearchQuery): Promise<SearchHit[]> {
  const { embedder } = deps;
  switch (query.mode) {
    case 'vector': {
      const side = await vectorSide(deps, query, Math.max(query.limit, embedder.windowRescoring?.depth ?? 0));
      const ranked = await rankVectorSide(
        embedder,
        embedder,
        { text: query.text, vector: side.query },
        side.hits,
      );
      return ranked
        .slice(0, query.limit)
        .map(({ chunk, score, vectorScore }) => ({ chunk, score, vectorScore: vectorScore ?? score }));
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
      const ranked = await rankHybridSides(
        embedder,
        embedder,
        { text: query.text, vector: side.query },
        side.hits,
        keyword,
      );
      return ranked.slice(0, query.limit);
    }
  }
}

/** How a model asks search to rank: the parts of an Embedder that say how, not what, to embed. */
export type RankingOptions = Pick<Embedder, 'fusion' | 'windowRescoring' | 'hybridRanker' | 'vectorRanker'>;

/**
 * Vector search's order of the pooled-vector hits: re-scored by their best window when `options` asks for it,
 * then ordered by the model's vector ranker when it ships one. Search passes the embedder's own options;
 * benchmarks may pass others.
 */
export async function rankVectorSide(
  embedder: Embedder,
  options: RankingOptions,
  query: { readonly text: string; readonly vector: Float32Array },
  hits: readonly ScoredChunk[],
): Promise<readonly (ScoredChunk & { readonly vectorScore?: number })[]> {
  const { windowRescoring: rescoring, vectorRanker: ranker } = options;
  if (ranker && rescoring) return rankVector(embedder, query, hits, ranker, rescoring);
  return rescoring ? rescoreVectorSide(embedder, query.vector, hits, rescoring) : hits;
}

/**
 * Hybrid search's order of both sides' hits: the learned ranker when `options` has one (with window
 * re-scoring, which it needs), else rank fusion of the (re-scored) vector side with the keyword side.
 */
export async function rankHybridSides(
  embedder: Embedder,
  options: RankingOptions,
  query: { readonly text: string; readonly vector: Float32Array },
  vector: readonly ScoredChunk[],
  keyword: readonly ScoredChunk[],
): Promise<SearchHit[]> {
  const { windowRescoring: rescoring, hybridRanker: ranker, fusion } = options;
  if (ranker && rescoring) return rankHybrid(embedder, query, vector, keyword, ranker, rescoring, fusion);
  const rescored = rescoring
    ? await rescoreForHybrid(embedder, query.vector, vector, keyword, rescoring)
    : vector;
  return fuseRrf(rescored, keyword, fusion);
}

const fingerprints = new WeakMap<Embedder, string>();

/**
 * What, besides the index and the request, decides the order of results: the model and how it asks search to
 * rank (fusion, window re-scoring, ranker), as a short digest computed once per embedder. Result caches key on
 * it, so a deploy that only refits the ranker never serves pages ranked the old way.
 */
export function rankingFingerprint(embedder: Embedder): string {
  let fingerprint = fingerprints.get(embedder);
  if (fingerprint === undefined) {
    fingerprint = sha256Hex(
      JSON.stringify({
        model: embedder.modelId,
        fusion: embedder.fusion ?? null,
        windowRescoring: embedder.windowRescoring ?? null,
        hybridRanker: embedder.hybridRanker ?? null,
        vectorRanker: embedder.vectorRanker ?? null,
      }),
    ).slice(0, 16);
    fingerprints.set(embedder, fingerprint);
  }
  return fingerprint;
}

async function vectorSide(
  deps: SearchDeps,
  query: SearchQuery,
  limit: number,
): Promise<{ query: Float32Array; hits: ScoredChunk[] }> {
  const vector = await deps.embedder.embedQuery(query.text);
  return { query: vector, hits: await deps.store.vectorSearch(vector, query.filter, limit) };
}
