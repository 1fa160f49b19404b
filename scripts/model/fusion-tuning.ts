/**
 * Chooses the hybrid fusion settings (RRF k and the vector side's weight) for a model on the validation
 * packages: the keyword side is the engine's real BM25 (a throw-away LanceDB table of the validation chunks,
 * built and queried through the same adapter the product uses), the vector side is the model, and the
 * engine's own `fuseRrf` fuses them. The held-out benchmark is never used here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLanceChunkStore } from '../../src/adapters/lancedb/lance-chunk-store.ts';
import { sha256Hex } from '../../src/engine/hashing.ts';
import { DEFAULT_FUSION, fuseRrf } from '../../src/engine/search/search.ts';
import { rescoreForHybrid, rescoreVectorSide } from '../../src/engine/search/window-rescoring.ts';
import type {
  EmbeddedChunk,
  Embedder,
  HybridFusion,
  ScoredChunk,
  StoredChunk,
  WindowRescoring,
} from '../../src/engine/types.ts';
import type { PairChunk } from './benchmark-pairs.ts';

/** What the API's hybrid search ranks per side for a 10-result page (see search.ts). */
export const SIDE_DEPTH = 33;
const REPO = 'validation';

/**
 * BM25 rankings of `queries` over `chunks` (indices into `chunks`, best first), from a temporary LanceDB
 * table that is deleted afterwards.
 */
export async function keywordRankings(
  chunks: readonly PairChunk[],
  queries: readonly string[],
): Promise<number[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'codesearch-fusion-'));
  try {
    const store = await openLanceChunkStore({
      uri: dir,
      metadata: { modelId: 'keyword-only', dimension: 2, chunkerVersion: 'training' },
    });
    try {
      const byPath = new Map<string, EmbeddedChunk[]>();
      const idToIndex = new Map<string, number>();
      chunks.forEach((c, i) => {
        const content = c.text.slice(c.text.indexOf('\n') + 1);
        const id = sha256Hex(`${i}\u0000${c.path}\u0000${c.startLine}`).slice(0, 32);
        idToIndex.set(id, i);
        const list = byPath.get(c.path) ?? [];
        list.push({
          id,
          repo: REPO,
          path: c.path,
          language: 'javascript',
          startLine: c.startLine,
          endLine: c.endLine,
          symbols: c.symbols,
          content,
          contentHash: sha256Hex(content),
          vector: new Float32Array(2),
        });
        byPath.set(c.path, list);
      });
      for (const [path, list] of [...byPath].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        await store.replaceFiles(REPO, [path], list);
      }
      await store.optimize();
      const rankings: number[][] = [];
      for (const query of queries) {
        const hits = await store.keywordSearch(query, { repos: [REPO] }, SIDE_DEPTH);
        rankings.push(hits.map((h) => idToIndex.get(h.chunk.id) ?? -1));
      }
      return rankings;
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FusionScores {
  readonly fusion: HybridFusion;
  readonly mrr10: number;
}

function stored(index: number, chunk?: PairChunk): StoredChunk {
  const newline = chunk ? chunk.text.indexOf('\n') : -1;
  return {
    id: String(index),
    repo: REPO,
    path: chunk?.path ?? '',
    language: '',
    startLine: chunk?.startLine ?? 0,
    endLine: chunk?.endLine ?? 0,
    symbols: chunk?.symbols ?? [],
    content: chunk ? chunk.text.slice(newline + 1) : '',
  };
}

/** Top `k` candidate indices by score, best first. */
function topK(scores: Float32Array, k: number): number[] {
  return Array.from(scores.keys())
    .sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b)
    .slice(0, k);
}

/**
 * Window re-scoring as search applies it (`search/window-rescoring.ts`), given the model as an embedder and
 * the candidates' texts.
 */
export interface RescoringUnderTest {
  readonly embedder: Embedder;
  readonly options: WindowRescoring;
  readonly chunks: readonly PairChunk[];
}

/**
 * MRR@10 of vector, keyword and hybrid search for each fusion setting in `grid`. Vectors are unit length,
 * row-major; `targets[i]` is the chunk query i should find. With `rescoring`, both the vector ranking and
 * the hybrid one are re-scored by windows first, exactly as search does.
 */
export async function scoreFusions(
  queryVectors: Float32Array,
  chunkVectors: Float32Array,
  dimension: number,
  keyword: readonly (readonly number[])[],
  targets: readonly number[],
  grid: readonly HybridFusion[],
  rescoring?: RescoringUnderTest,
): Promise<{ vector: number; keyword: number; hybrid: FusionScores[] }> {
  const n = targets.length;
  const chunks = chunkVectors.length / dimension;
  const scores = new Float32Array(chunks);
  const rr = (list: readonly number[], target: number) => {
    const rank = list.slice(0, 10).indexOf(target);
    return rank === -1 ? 0 : 1 / (rank + 1);
  };
  const chunkOf = (c: number) => stored(c, rescoring?.chunks[c]);
  let vectorSum = 0;
  let keywordSum = 0;
  const hybridSums = grid.map(() => 0);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < chunks; c++) {
      let s = 0;
      for (let d = 0; d < dimension; d++)
        s += (queryVectors[i * dimension + d] as number) * (chunkVectors[c * dimension + d] as number);
      scores[c] = s;
    }
    const vector = topK(scores, SIDE_DEPTH);
    const target = targets[i] as number;
    let vectorHits: ScoredChunk[] = vector.map((c) => ({ chunk: chunkOf(c), score: scores[c] as number }));
    const keywordHits: ScoredChunk[] = (keyword[i] ?? []).map((c, rank) => ({
      chunk: chunkOf(c),
      score: -rank,
    }));
    let vectorRanking = vector;
    if (rescoring) {
      const query = queryVectors.subarray(i * dimension, (i + 1) * dimension);
      const { embedder, options } = rescoring;
      const alone = await rescoreVectorSide(embedder, query, vectorHits, options);
      vectorRanking = alone.map((h) => Number(h.chunk.id));
      vectorHits = await rescoreForHybrid(embedder, query, vectorHits, keywordHits, options);
    }
    vectorSum += rr(vectorRanking, target);
    keywordSum += rr(keyword[i] ?? [], target);
    grid.forEach((fusion, g) => {
      const fused = fuseRrf(vectorHits, keywordHits, fusion).map((h) => Number(h.chunk.id));
      hybridSums[g] = (hybridSums[g] as number) + rr(fused, target);
    });
  }
  return {
    vector: vectorSum / n,
    keyword: keywordSum / n,
    hybrid: grid.map((fusion, g) => ({ fusion, mrr10: (hybridSums[g] as number) / n })),
  };
}

/** The settings tried: k from 5 to 60, the vector side weighted 0.25–2 against a keyword weight of 1. */
export const FUSION_GRID: readonly HybridFusion[] = [5, 10, 20, 40, 60].flatMap((k) =>
  [0.25, 0.5, 0.75, 1, 1.5, 2].map((vectorWeight) => ({ k, vectorWeight, keywordWeight: 1 })),
);

export { DEFAULT_FUSION };
