/**
 * The ranker's training data comes from the engine's own candidate and feature code, over a real BM25 index
 * (LanceDB) and the real default model, so what training fits on is what search computes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR, type OnnxEmbedder } from '#engine/embedding/index.ts';
import { rankingCandidates } from '#engine/search/hybrid-ranker.ts';
import { featureRows, RANKER_FEATURES } from '#engine/search/ranker-features.ts';
import type { PairChunk } from '../../../scripts/model/benchmark-pairs.ts';
import { keywordRankings, rankingGroups } from '../../../scripts/model/fusion-tuning.ts';

const chunk = (path: string, symbols: string[], content: string): PairChunk => ({
  path,
  startLine: 1,
  endLine: content.split('\n').length,
  symbols,
  text: `${path}\n${content}`,
});

const CHUNKS: PairChunk[] = [
  chunk(
    'lib/upload.js',
    ['retryUpload'],
    'function retryUpload(file) {\n  return send(file).catch(() => retryUpload(file));\n}',
  ),
  chunk(
    'lib/table.js',
    ['drawTable'],
    "function drawTable(rows) {\n  return rows.map((r) => r.join(' | ')).join('\\n');\n}",
  ),
  chunk(
    'lib/token.js',
    ['renewToken'],
    'async function renewToken(session) {\n  session.token = await refresh(session);\n}',
  ),
  chunk('lib/cell.js', ['padCell'], "function padCell(cell, width) {\n  return cell.padEnd(width, ' ');\n}"),
];
const QUERIES = [
  'Retries an upload until it succeeds.',
  'Draws the rows as a table.',
  'Pads a cell to a width.',
];
const TARGETS = [0, 1, 3];

describe('the hybrid ranker’s training data', () => {
  let embedder: OnnxEmbedder;
  beforeAll(async () => {
    embedder = await createOnnxEmbedder({ modelDir: DEFAULT_MODEL_DIR, workers: 1, threadsPerWorker: 1 });
  });
  afterAll(async () => {
    await embedder?.close();
  });

  it('holds, per query, the engine’s candidates and feature rows and marks the answer', async () => {
    // prepare
    const rescoring = embedder.windowRescoring;
    if (!rescoring) throw new Error('the default model re-scores windows');
    const flat = (vectors: Float32Array[]) => {
      const out = new Float32Array(vectors.length * embedder.dimension);
      vectors.forEach((v, i) => {
        out.set(v, i * embedder.dimension);
      });
      return out;
    };
    const chunkVectors = flat(await embedder.embedDocuments(CHUNKS.map((c) => c.text)));
    const queryVectors = flat(await Promise.all(QUERIES.map((q) => embedder.embedQuery(q))));
    const keyword = await keywordRankings(CHUNKS, QUERIES);
    // act
    const groups = await rankingGroups(
      QUERIES,
      queryVectors,
      chunkVectors,
      embedder.dimension,
      keyword,
      TARGETS,
      [7, 7, 8],
      { embedder, options: rescoring, chunks: CHUNKS },
      RANKER_FEATURES,
    );
    // assess
    expect(keyword[0]?.[0]).toMatchObject({ chunk: 0 });
    expect(keyword[0]?.[0]?.score).toBeGreaterThan(0);
    expect(groups.map((g) => g.pkg)).toEqual([7, 7, 8]);
    for (const [i, group] of groups.entries()) {
      // Four chunks: every one is a candidate of the vector side, so each group ranks all four, once
      expect(group.rows).toHaveLength(CHUNKS.length);
      expect(group.answers.filter(Boolean)).toHaveLength(1);
      for (const row of group.rows) expect(row).toHaveLength(RANKER_FEATURES.length);
      // The same rows search computes from the same lists
      const vector = Array.from({ length: CHUNKS.length }, (_, c) => c);
      const query = queryVectors.subarray(i * embedder.dimension, (i + 1) * embedder.dimension);
      const score = (c: number) =>
        chunkVectors
          .subarray(c * embedder.dimension, (c + 1) * embedder.dimension)
          .reduce((acc, x, d) => acc + x * (query[d] as number), 0);
      const stored = (c: number) => ({
        id: String(c),
        repo: 'validation',
        path: CHUNKS[c]?.path ?? '',
        language: '',
        startLine: CHUNKS[c]?.startLine ?? 0,
        endLine: CHUNKS[c]?.endLine ?? 0,
        symbols: CHUNKS[c]?.symbols ?? [],
        content: (CHUNKS[c]?.text ?? '').slice((CHUNKS[c]?.text ?? '').indexOf('\n') + 1),
      });
      const candidates = await rankingCandidates(
        embedder,
        query,
        vector
          .sort((a, b) => score(b) - score(a) || a - b)
          .map((c) => ({ chunk: stored(c), score: score(c) })),
        (keyword[i] ?? []).map((h) => ({ chunk: stored(h.chunk), score: h.score })),
        rescoring,
      );
      expect(group.rows.map((r) => [...r])).toEqual(
        featureRows(QUERIES[i] ?? '', candidates, RANKER_FEATURES).map((r) => [...r]),
      );
      expect(group.answers.indexOf(true)).toBe(
        candidates.findIndex((c) => c.chunk.id === String(TARGETS[i])),
      );
    }
  });
});
