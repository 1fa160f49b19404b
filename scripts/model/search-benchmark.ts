/**
 * Scores a model on a retrieval benchmark made by `extract.mjs` (queries.jsonl + corpus/) without a server:
 * the chunks and the keyword (BM25) rankings come from a real LanceDB index of the corpus, the vector side
 * is an exact cosine scan over the same chunks (what LanceDB does below its ANN threshold), and both modes are
 * ranked by the engine's own code (window re-scoring, the learned ranker or rank fusion). The hit rule is
 * score.mjs's: same path, and the chunk's line range holds the definition's first line, within the top 10.
 *
 * Keyword results do not depend on the model, so they are read once and cached beside the index; comparing
 * model variants then costs only their embedding time.
 *
 *   node_modules/.bin/node scripts/model/search-benchmark.ts --bench /tmp/devbench --home /tmp/devhome \
 *       [--repo devbench] [--model models/default]
 *
 * The index in `--home` must have been built first (`codesearch index <bench>/corpus --repo <repo>`), with
 * any model: only its chunks and its keyword index are used.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as lancedb from '@lancedb/lancedb';
import { metadataOf } from '../../src/adapters/lancedb/chunk-schema.ts';
import { openLanceChunkStore } from '../../src/adapters/lancedb/lance-chunk-store.ts';
import { createOnnxEmbedder } from '../../src/engine/embedding/index.ts';
import { embeddingText } from '../../src/engine/indexing/embed-with-cache.ts';
import { type RankingOptions, rankHybridSides, rankVectorSide } from '../../src/engine/search/search.ts';
import type { Embedder, IndexMetadata, ScoredChunk, StoredChunk } from '../../src/engine/types.ts';

export interface BenchQuery {
  readonly query: string;
  readonly path: string;
  readonly line: number;
}

/** A chunk as the benchmark needs it. */
export interface BenchChunk {
  readonly id: string;
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  /** Names of the definitions that start in the chunk. */
  readonly symbols: readonly string[];
  /** What the indexer embeds: path, newline, content. */
  readonly text: string;
}

export interface BenchIndex {
  readonly queries: readonly BenchQuery[];
  readonly chunks: readonly BenchChunk[];
  /** Per query, the keyword side's chunk ids, best first (depth {@link KEYWORD_DEPTH}). */
  readonly keyword: readonly (readonly { id: string; score: number }[])[];
}

/** The API asks search() for limit + 1 = 11 hits; hybrid then ranks max(3 × 11, 30) = 33 per side. */
export const RESULT_LIMIT = 10;
export const SIDE_DEPTH = Math.max((RESULT_LIMIT + 1) * 3, 30);
const KEYWORD_DEPTH = SIDE_DEPTH;
const CACHE_FILE = 'search-benchmark-cache-v2.json';

export function readQueries(benchDir: string): BenchQuery[] {
  return readFileSync(join(benchDir, 'queries.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BenchQuery);
}

/** Reads the chunks and keyword rankings from the index in `home` (or from the cache written beside it). */
export async function loadBenchIndex(benchDir: string, home: string, repo: string): Promise<BenchIndex> {
  const cachePath = join(home, CACHE_FILE);
  const queries = readQueries(benchDir);
  if (existsSync(cachePath)) {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as BenchIndex & { queryText: string[] };
    if (cached.queryText.join('\n') === queries.map((q) => q.query).join('\n')) {
      return { queries, chunks: cached.chunks, keyword: cached.keyword };
    }
  }
  const uri = join(home, 'lancedb');
  const connection = await lancedb.connect(uri);
  const table = await connection.openTable('chunks');
  const found = metadataOf(await table.schema());
  const rows = (await table
    .query()
    .select(['id', 'repo', 'path', 'start_line', 'end_line', 'symbols', 'content'])
    .toArray()) as {
    id: string;
    repo: string;
    path: string;
    start_line: number;
    end_line: number;
    symbols: { toArray(): string[] } | null;
    content: string;
  }[];
  connection.close();
  const chunks: BenchChunk[] = rows
    .filter((r) => r.repo === repo)
    .map((r) => ({
      id: r.id,
      path: r.path,
      startLine: Number(r.start_line),
      endLine: Number(r.end_line),
      symbols: [...(r.symbols?.toArray() ?? [])],
      text: embeddingText({ path: r.path, content: r.content }),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const store = await openLanceChunkStore({ uri, metadata: found as IndexMetadata });
  const keyword: { id: string; score: number }[][] = [];
  try {
    for (const q of queries) {
      const hits = await store.keywordSearch(q.query, { repos: [repo] }, KEYWORD_DEPTH);
      keyword.push(hits.map((h) => ({ id: h.chunk.id, score: h.score })));
    }
  } finally {
    await store.close();
  }
  writeFileSync(cachePath, JSON.stringify({ queryText: queries.map((q) => q.query), chunks, keyword }));
  return { queries, chunks, keyword };
}

export interface ModeScores {
  readonly mrr10: number;
  readonly recall1: number;
  readonly recall10: number;
}

export interface BenchScores {
  readonly queries: number;
  readonly chunks: number;
  readonly vector: ModeScores;
  readonly keyword: ModeScores;
  readonly hybrid: ModeScores;
  /**
   * MRR@10 if every query were answered by whichever of vector and keyword ranks its target higher: roughly
   * what rank fusion of these two lists can reach (it can beat it only where both rank the target low).
   */
  readonly bestOfBoth: number;
}

function isHit(chunk: BenchChunk | undefined, q: BenchQuery): boolean {
  return chunk !== undefined && chunk.path === q.path && chunk.startLine <= q.line && q.line <= chunk.endLine;
}

function scoreRanks(ranks: readonly number[]): ModeScores {
  const n = ranks.length;
  let rr = 0;
  let r1 = 0;
  let r10 = 0;
  for (const rank of ranks) {
    if (rank < 0 || rank >= RESULT_LIMIT) continue;
    rr += 1 / (rank + 1);
    if (rank === 0) r1++;
    r10++;
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return { mrr10: round(rr / n), recall1: round(r1 / n), recall10: round(r10 / n) };
}

/** Top `k` indices of `scores`, best first (ties by lower index, as a stable sort would give). */
export function topK(scores: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] ?? Number.NEGATIVE_INFINITY;
    if (best.length === k && s <= (scores[best[k - 1] ?? 0] ?? 0)) continue;
    let pos = best.length;
    while (pos > 0 && (scores[best[pos - 1] ?? 0] ?? 0) < s) pos--;
    best.splice(pos, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Scores vector, keyword and hybrid search given unit-length query and chunk vectors (in `index.chunks`
 * order), ranked by the engine's own `rankVectorSide` and `rankHybridSides` with `options` — the model's
 * fusion, window re-scoring and ranker, as search would apply them (an embedder passes its own).
 */
export async function scoreBench(
  index: BenchIndex,
  queryVectors: readonly Float32Array[],
  chunkVectors: readonly Float32Array[],
  embedder: Embedder,
  options: RankingOptions,
): Promise<BenchScores> {
  const byId = new Map(index.chunks.map((c, i) => [c.id, i]));
  const stored = (i: number): StoredChunk => {
    const c = index.chunks[i] as BenchChunk;
    return {
      id: c.id,
      repo: '',
      path: c.path,
      language: '',
      startLine: c.startLine,
      endLine: c.endLine,
      symbols: c.symbols,
      content: c.text.slice(c.text.indexOf('\n') + 1),
    };
  };
  const dimension = chunkVectors[0]?.length ?? 0;
  const matrix = new Float32Array(chunkVectors.length * dimension);
  chunkVectors.forEach((v, i) => {
    matrix.set(v, i * dimension);
  });
  const scores = new Float32Array(chunkVectors.length);
  const vectorRanks: number[] = [];
  const keywordRanks: number[] = [];
  const hybridRanks: number[] = [];
  for (const [qi, q] of index.queries.entries()) {
    const qv = queryVectors[qi] as Float32Array;
    for (let c = 0; c < chunkVectors.length; c++) {
      let s = 0;
      const base = c * dimension;
      for (let d = 0; d < dimension; d++) s += (matrix[base + d] ?? 0) * (qv[d] ?? 0);
      scores[c] = s;
    }
    const top = topK(scores, SIDE_DEPTH);
    const vector: ScoredChunk[] = top.map((i) => ({ chunk: stored(i), score: scores[i] ?? 0 }));
    const keyword: ScoredChunk[] = (index.keyword[qi] ?? []).map(({ id, score }) => ({
      chunk: stored(byId.get(id) ?? -1),
      score,
    }));
    const rankOf = (list: readonly { chunk: StoredChunk }[]) =>
      list.slice(0, RESULT_LIMIT).findIndex((h) => isHit(index.chunks[byId.get(h.chunk.id) ?? -1], q));
    keywordRanks.push(rankOf(keyword));
    vectorRanks.push(rankOf(await rankVectorSide(embedder, options, { text: q.query, vector: qv }, vector)));
    hybridRanks.push(
      rankOf(await rankHybridSides(embedder, options, { text: q.query, vector: qv }, vector, keyword)),
    );
  }
  return {
    queries: index.queries.length,
    chunks: index.chunks.length,
    vector: scoreRanks(vectorRanks),
    keyword: scoreRanks(keywordRanks),
    hybrid: scoreRanks(hybridRanks),
    bestOfBoth: scoreRanks(
      vectorRanks.map((v, i) => {
        const k = keywordRanks[i] ?? -1;
        return v < 0 ? k : k < 0 ? v : Math.min(v, k);
      }),
    ).mrr10,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bench: { type: 'string' },
      home: { type: 'string' },
      repo: { type: 'string', default: 'devbench' },
      model: { type: 'string', default: 'models/default' },
    },
  });
  if (!values.bench || !values.home)
    throw new Error('usage: search-benchmark.ts --bench DIR --home DIR [--repo R] [--model DIR]');
  const index = await loadBenchIndex(resolve(values.bench), resolve(values.home), values.repo);
  const embedder = await createOnnxEmbedder({ modelDir: values.model });
  try {
    const chunkVectors = await embedder.embedDocuments(index.chunks.map((c) => c.text));
    const queryVectors: Float32Array[] = [];
    for (const q of index.queries) queryVectors.push(await embedder.embedQuery(q.query));
    const scores = await scoreBench(index, queryVectors, chunkVectors, embedder, embedder);
    process.stdout.write(`${JSON.stringify({ model: embedder.modelId, ...scores })}\n`);
  } finally {
    await embedder.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
