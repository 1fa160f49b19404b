/**
 * Hybrid search with a learned ranker, for models that ship one (`hybrid.ranker` in codesearch-model.json).
 *
 * Rank fusion adds two reciprocal ranks, so any chunk both sides list beats any chunk only one side lists:
 * a method the model ranks first and BM25 never saw ends up behind every keyword hit. The ranker instead
 * scores the best candidates of both sides (each side's `depth` best, as window re-scoring takes them) from
 * features of the query and the candidate (ranker-features.ts) with the linear weights the model's training
 * fit on held-out packages, and orders them by that score. Candidates further down both lists follow in rank
 * fusion order, so deep pages stay cheap.
 *
 * Needs window re-scoring (the window cosine is its strongest model feature); the evidence per candidate —
 * window vectors and a vector of its definition names — is what the index stored with the chunk (or, for a
 * chunk that comes without it, embedded at query time and cached by chunk id).
 */
import type { Embedder, HybridFusion, HybridRanker, ScoredChunk, WindowRescoring } from '../types.ts';
import { fuseRrf } from './rank-fusion.ts';
import { featureRows, type RankingCandidate } from './ranker-features.ts';
import type { SearchHit } from './search.ts';
import { bestWindowCosine, cosine, hybridCandidates, partVectors } from './window-rescoring.ts';

/** The ranker's linear score of each feature row. */
export function rankerScores(ranker: HybridRanker, rows: readonly Float64Array[]): number[] {
  return rows.map((row) => {
    let score = 0;
    for (let i = 0; i < ranker.weights.length; i++) {
      score +=
        ((ranker.weights[i] ?? 0) * ((row[i] ?? 0) - (ranker.center[i] ?? 0))) / (ranker.scale[i] ?? 1);
    }
    return score;
  });
}

/**
 * The candidates the ranker orders, with their evidence: each side's `depth` best (vector side first, each
 * chunk once), their best window's cosine, their names' cosine and, when BM25 found them, its score and rank.
 */
export async function rankingCandidates(
  embedder: Embedder,
  queryVector: Float32Array,
  vector: readonly ScoredChunk[],
  keyword: readonly ScoredChunk[],
  rescoring: WindowRescoring,
): Promise<RankingCandidate[]> {
  const chunks = hybridCandidates(vector, keyword, rescoring.depth);
  if (chunks.length === 0) return [];
  const parts = await partVectors(embedder, chunks, rescoring, true);
  const keywordHits = new Map(
    keyword.slice(0, rescoring.depth).map(({ chunk, score }, rank) => [chunk.id, { score, rank }]),
  );
  return chunks.map((chunk) => {
    const name = parts.name.get(chunk.id)?.[0];
    const keywordHit = keywordHits.get(chunk.id);
    return {
      chunk,
      window: bestWindowCosine(queryVector, parts.window.get(chunk.id)),
      name: name ? cosine(queryVector, name) : 0,
      ...(keywordHit ? { keyword: keywordHit } : {}),
    };
  });
}

/** Orders `candidates` by `ranker`; each gets its softmax share among them as its score. */
function ranked<C extends RankingCandidate>(
  queryText: string,
  candidates: readonly C[],
  ranker: HybridRanker,
): { candidate: C; share: number }[] {
  const scores = rankerScores(ranker, featureRows(queryText, candidates, ranker.features));
  const top = Math.max(...scores);
  const shares = scores.map((s) => Math.exp(s - top));
  const total = shares.reduce((a, b) => a + b, 0);
  return candidates
    .map((candidate, order) => ({ candidate, order, score: scores[order] ?? 0 }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ candidate, order }) => ({ candidate, share: (shares[order] ?? 0) / total }));
}

/**
 * Vector search's ranking with a vector ranker: the vector side's `depth` best ordered by its score on the
 * model's features and the chunks' roles, each hit's score its softmax share among them; hits further down
 * follow in window-cosine order with score 0.
 */
export async function rankVector(
  embedder: Embedder,
  query: { readonly text: string; readonly vector: Float32Array },
  vector: readonly ScoredChunk[],
  ranker: HybridRanker,
  rescoring: WindowRescoring,
): Promise<(ScoredChunk & { readonly vectorScore: number })[]> {
  const candidates = await rankingCandidates(embedder, query.vector, vector, [], rescoring);
  const seen = new Set(candidates.map((c) => c.chunk.id));
  return [
    ...ranked(query.text, candidates, ranker).map(({ candidate, share }) => ({
      chunk: candidate.chunk,
      score: share,
      vectorScore: candidate.window,
    })),
    ...vector
      .filter(({ chunk }) => !seen.has(chunk.id))
      .map(({ chunk, score }) => ({ chunk, score: 0, vectorScore: score })),
  ];
}

/**
 * Hybrid search's ranking with `ranker`: the candidates ordered by its score (ties keep candidate order),
 * each hit's score being the ranker's softmax share among them — its estimate that this is the best match —
 * then the rest of both lists in rank-fusion order with score 0.
 */
export async function rankHybrid(
  embedder: Embedder,
  query: { readonly text: string; readonly vector: Float32Array },
  vector: readonly ScoredChunk[],
  keyword: readonly ScoredChunk[],
  ranker: HybridRanker,
  rescoring: WindowRescoring,
  fusion?: HybridFusion,
): Promise<SearchHit[]> {
  const candidates = await rankingCandidates(embedder, query.vector, vector, keyword, rescoring);
  const ordered: SearchHit[] = ranked(query.text, candidates, ranker).map(({ candidate, share }) => ({
    chunk: candidate.chunk,
    score: share,
    vectorScore: candidate.window,
    ...(candidate.keyword ? { keywordScore: candidate.keyword.score } : {}),
  }));
  const seen = new Set(candidates.map((c) => c.chunk.id));
  const rest = fuseRrf(
    vector.filter(({ chunk }) => !seen.has(chunk.id)),
    keyword.filter(({ chunk }) => !seen.has(chunk.id)),
    fusion,
  ).map((hit) => ({ ...hit, score: 0 }));
  return [...ordered, ...rest];
}
