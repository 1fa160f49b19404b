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
import { rankingCandidates } from '../../src/engine/search/hybrid-ranker.ts';
import { featureRows, type RankerFeature } from '../../src/engine/search/ranker-features.ts';
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
import type { RankingGroup } from './ranker-fitting.ts';
import { candidatesByQuery, type ValidationGroups } from './trainer.ts';

/** What the API's hybrid search ranks per side for a 10-result page (see search.ts). */
export const SIDE_DEPTH = 33;
const REPO = 'validation';

/** One keyword hit: the index of its chunk and its BM25 score. */
export interface KeywordHit {
  readonly chunk: number;
  readonly score: number;
}

/**
 * BM25 rankings of `queries` over `chunks` (best first), from a temporary LanceDB table that is deleted
 * afterwards.
 */
export async function keywordRankings(
  chunks: readonly PairChunk[],
  queries: readonly string[],
  groups?: ValidationGroups,
): Promise<KeywordHit[][]> {
  const repoOf = (group: number | undefined) => (groups ? `${REPO}-${group}` : REPO);
  const dir = mkdtempSync(join(tmpdir(), 'codesearch-fusion-'));
  try {
    const store = await openLanceChunkStore({
      uri: dir,
      metadata: { modelId: 'keyword-only', dimension: 2, chunkerVersion: 'training' },
      // Only the keyword index is used; its placeholder vectors would not train a vector index.
      vectorIndexMinRows: Number.POSITIVE_INFINITY,
    });
    try {
      const byPath = new Map<string, EmbeddedChunk[]>();
      const idToIndex = new Map<string, number>();
      chunks.forEach((c, i) => {
        const content = c.text.slice(c.text.indexOf('\n') + 1);
        const id = sha256Hex(`${i}\u0000${c.path}\u0000${c.startLine}`).slice(0, 32);
        idToIndex.set(id, i);
        const repo = repoOf(groups?.candidates[i]);
        const key = `${repo}\u0000${c.path}`;
        const list = byPath.get(key) ?? [];
        list.push({
          id,
          repo,
          path: c.path,
          language: 'javascript',
          startLine: c.startLine,
          endLine: c.endLine,
          symbols: c.symbols,
          content,
          contentHash: sha256Hex(content),
          vector: new Float32Array(2),
        });
        byPath.set(key, list);
      });
      // One write per repository (package), not per file: each write merges against the whole table.
      const byRepo = new Map<string, { paths: string[]; chunks: EmbeddedChunk[] }>();
      for (const [, list] of [...byPath].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const first = list[0] as EmbeddedChunk;
        const entry = byRepo.get(first.repo) ?? { paths: [], chunks: [] };
        entry.paths.push(first.path);
        entry.chunks.push(...list);
        byRepo.set(first.repo, entry);
      }
      for (const [repo, { paths, chunks: rows }] of byRepo) await store.replaceFiles(repo, paths, rows);
      await store.optimize();
      const rankings: KeywordHit[][] = [];
      for (const [i, query] of queries.entries()) {
        const hits = await store.keywordSearch(query, { repos: [repoOf(groups?.queries[i])] }, SIDE_DEPTH);
        rankings.push(hits.map((h) => ({ chunk: idToIndex.get(h.chunk.id) ?? -1, score: h.score })));
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

/** What search ranks for one query: each side's best, as ScoredChunks whose ids are chunk indices. */
interface QuerySides {
  readonly query: Float32Array;
  readonly vector: ScoredChunk[];
  readonly keyword: ScoredChunk[];
}

/** Both sides of every query, in order: an exact cosine scan for the vector side, BM25 as given. */
async function* querySides(
  queryVectors: Float32Array,
  chunkVectors: Float32Array,
  dimension: number,
  keyword: readonly (readonly KeywordHit[])[],
  chunks?: readonly PairChunk[],
  groups?: ValidationGroups,
): AsyncGenerator<QuerySides> {
  const n = queryVectors.length / dimension;
  const count = chunkVectors.length / dimension;
  const chunkOf = (c: number) => stored(c, chunks?.[c]);
  const pool = candidatesByQuery(groups ? { groups } : {}, n, count);
  for (let i = 0; i < n; i++) {
    const among = pool(i);
    const scores = new Float32Array(among.length);
    among.forEach((c, k) => {
      let s = 0;
      for (let d = 0; d < dimension; d++)
        s += (queryVectors[i * dimension + d] as number) * (chunkVectors[c * dimension + d] as number);
      scores[k] = s;
    });
    yield {
      query: queryVectors.subarray(i * dimension, (i + 1) * dimension),
      vector: topK(scores, SIDE_DEPTH).map((k) => ({
        chunk: chunkOf(among[k] as number),
        score: scores[k] as number,
      })),
      keyword: (keyword[i] ?? []).map(({ chunk, score }) => ({ chunk: chunkOf(chunk), score })),
    };
  }
}

const reciprocalRank = (list: readonly ScoredChunk[], target: number) => {
  const rank = list.slice(0, 10).findIndex((h) => Number(h.chunk.id) === target);
  return rank === -1 ? 0 : 1 / (rank + 1);
};

/**
 * MRR@10 of vector, keyword and hybrid search for each fusion setting in `grid`. Vectors are unit length,
 * row-major; `targets[i]` is the chunk query i should find. With `rescoring`, both the vector ranking and
 * the hybrid one are re-scored by windows first, exactly as search does.
 */
export async function scoreFusions(
  queryVectors: Float32Array,
  chunkVectors: Float32Array,
  dimension: number,
  keyword: readonly (readonly KeywordHit[])[],
  targets: readonly number[],
  grid: readonly HybridFusion[],
  rescoring?: RescoringUnderTest,
  groups?: ValidationGroups,
): Promise<{ vector: number; keyword: number; hybrid: FusionScores[] }> {
  const n = targets.length;
  let vectorSum = 0;
  let keywordSum = 0;
  const hybridSums = grid.map(() => 0);
  let i = 0;
  for await (const sides of querySides(
    queryVectors,
    chunkVectors,
    dimension,
    keyword,
    rescoring?.chunks,
    groups,
  )) {
    const target = targets[i++] as number;
    let vectorHits = sides.vector;
    let vectorRanking = sides.vector;
    if (rescoring) {
      const { embedder, options } = rescoring;
      vectorRanking = await rescoreVectorSide(embedder, sides.query, sides.vector, options);
      vectorHits = await rescoreForHybrid(embedder, sides.query, sides.vector, sides.keyword, options);
    }
    vectorSum += reciprocalRank(vectorRanking, target);
    keywordSum += reciprocalRank(sides.keyword, target);
    grid.forEach((fusion, g) => {
      const fused = fuseRrf(vectorHits, sides.keyword, fusion);
      hybridSums[g] = (hybridSums[g] as number) + reciprocalRank(fused, target);
    });
  }
  return {
    vector: vectorSum / n,
    keyword: keywordSum / n,
    hybrid: grid.map((fusion, g) => ({ fusion, mrr10: (hybridSums[g] as number) / n })),
  };
}

/**
 * The hybrid ranker's training data: for every query, the candidates search would rank (the engine's
 * `rankingCandidates`), their feature rows (the engine's `featureRows`) and which one is the answer.
 */
export async function rankingGroups(
  queryTexts: readonly string[],
  queryVectors: Float32Array,
  chunkVectors: Float32Array,
  dimension: number,
  keyword: readonly (readonly KeywordHit[])[],
  targets: readonly number[],
  packages: readonly number[],
  rescoring: RescoringUnderTest,
  features: readonly RankerFeature[],
  validationGroups?: ValidationGroups,
): Promise<RankingGroup[]> {
  const groups: RankingGroup[] = [];
  let i = 0;
  for await (const sides of querySides(
    queryVectors,
    chunkVectors,
    dimension,
    keyword,
    rescoring.chunks,
    validationGroups,
  )) {
    const candidates = await rankingCandidates(
      rescoring.embedder,
      sides.query,
      sides.vector,
      sides.keyword,
      rescoring.options,
    );
    groups.push({
      rows: featureRows(queryTexts[i] ?? '', candidates, features),
      answers: candidates.map((c) => Number(c.chunk.id) === targets[i]),
      pkg: packages[i] ?? 0,
    });
    i++;
  }
  return groups;
}

/** The settings tried: k from 5 to 60, the vector side weighted 0.25–2 against a keyword weight of 1. */
export const FUSION_GRID: readonly HybridFusion[] = [5, 10, 20, 40, 60].flatMap((k) =>
  [0.25, 0.5, 0.75, 1, 1.5, 2].map((vectorWeight) => ({ k, vectorWeight, keywordWeight: 1 })),
);

export { DEFAULT_FUSION };
