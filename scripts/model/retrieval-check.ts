/**
 * A quick retrieval check for the interim model's token vectors: for documented definitions in packages that
 * are NOT in the training corpus, use the first sentence of each doc comment as the query and rank every
 * definition's code (comment removed) by cosine similarity. Reports MRR and recall@1/@10.
 *
 *   node_modules/.bin/node scripts/model/retrieval-check.ts
 *
 * It embeds with the JS mirror of the model (IDF-weighted mean of token vectors, then L2 norm), which is what
 * the ONNX graph computes, so variants can be compared without writing files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossNeighbours, type SmoothingOptions, smoothTokenVectors } from './cooccurrence-smoothing.ts';
import { type DocumentedCode, extractDocumentedCode, firstSentence } from './doc-pairs.ts';
import {
  computeInterimModelParts,
  INTERIM_MODEL_SETTINGS,
  randomTokenVectors,
  type TokenIdsOf,
} from './interim-model.ts';

/** Held-out sources (none of them is in the corpus); used only to measure, never to build. */
export const HELD_OUT_SOURCES = [
  { dir: 'node_modules/@opentelemetry/api/dist', files: /\.(?:mjs|d\.mts)$/ },
  { dir: 'node_modules/flatbuffers/ts', files: /\.ts$/ },
  { dir: 'node_modules/pure-rand', files: /\.(?:js|d\.ts)$/ },
  { dir: 'node_modules/protobufjs/cli/node_modules/tmp', files: /\.js$/ },
  { dir: 'node_modules/tinybench', files: /\.(?:js|d\.ts)$/ },
  { dir: 'node_modules/@types/chai', files: /\.d\.ts$/ },
  { dir: 'node_modules/lightningcss', files: /\.d\.ts$/ },
];

function walk(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const full = join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(full, pattern);
      return pattern.test(e.name) ? [full] : [];
    });
}

/** Documented definitions with a real query (≥ 4 words) and real code (≥ 3 lines), deduplicated by query. */
export function heldOutPairs(repoRoot: string): DocumentedCode[] {
  const seen = new Set<string>();
  const pairs: DocumentedCode[] = [];
  for (const source of HELD_OUT_SOURCES) {
    for (const file of walk(join(repoRoot, source.dir), source.files)) {
      for (const pair of extractDocumentedCode(readFileSync(file, 'utf8'))) {
        const query = firstSentence(pair.doc);
        if (query.split(' ').length < 4 || pair.code.split('\n').length < 3 || seen.has(query)) continue;
        seen.add(query);
        pairs.push({ doc: query, code: pair.code });
      }
    }
  }
  return pairs;
}

function embed(
  ids: Int32Array,
  weights: Float32Array,
  vectors: Float32Array,
  dimension: number,
): Float32Array {
  const out = new Float32Array(dimension);
  for (const id of ids) {
    const w = weights[id] ?? 0;
    for (let d = 0; d < dimension; d++) out[d] = (out[d] ?? 0) + w * (vectors[id * dimension + d] ?? 0);
  }
  const norm = Math.hypot(...out) || 1;
  for (let d = 0; d < dimension; d++) out[d] = (out[d] ?? 0) / norm;
  return out;
}

export interface RetrievalScores {
  readonly queries: number;
  readonly mrr: number;
  readonly recallAt1: number;
  readonly recallAt10: number;
}

export function scoreRetrieval(
  pairs: readonly DocumentedCode[],
  tokenIdsOf: TokenIdsOf,
  weights: Float32Array,
  vectors: Float32Array,
  dimension: number,
): RetrievalScores {
  const codes = pairs.map((p) => embed(tokenIdsOf(p.code), weights, vectors, dimension));
  let mrr = 0;
  let at1 = 0;
  let at10 = 0;
  pairs.forEach((pair, i) => {
    const q = embed(tokenIdsOf(pair.doc), weights, vectors, dimension);
    const score = (v: Float32Array) => v.reduce((s, x, d) => s + x * (q[d] ?? 0), 0);
    const own = score(codes[i] ?? new Float32Array(dimension));
    const rank = 1 + codes.filter((c, j) => j !== i && score(c) > own).length;
    mrr += 1 / rank;
    if (rank === 1) at1++;
    if (rank <= 10) at10++;
  });
  const n = pairs.length;
  return { queries: n, mrr: mrr / n, recallAt1: at1 / n, recallAt10: at10 / n };
}

async function main(): Promise<void> {
  const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
  const parts = computeInterimModelParts(repoRoot);
  const pairs = heldOutPairs(repoRoot);
  const dimension = INTERIM_MODEL_SETTINGS.dimension;
  const format = (s: RetrievalScores) =>
    `MRR ${s.mrr.toFixed(3)}  R@1 ${s.recallAt1.toFixed(3)}  R@10 ${s.recallAt10.toFixed(3)}`;
  process.stdout.write(
    `${pairs.length} held-out queries, ${parts.documentedCode.length} training definitions\n`,
  );
  process.stdout.write(
    `random vectors            ${format(scoreRetrieval(pairs, parts.tokenIdsOf, parts.weights, parts.randomVectors, dimension))}\n`,
  );
  // The spread over other seeds shows how much of any difference below is just the random projection.
  for (let k = 1; k <= 3; k++) {
    const vectors = randomTokenVectors(parts.vocab.length, dimension, INTERIM_MODEL_SETTINGS.seed + k);
    process.stdout.write(
      `random vectors, seed +${k}  ${format(scoreRetrieval(pairs, parts.tokenIdsOf, parts.weights, vectors, dimension))}\n`,
    );
  }
  const tokenized = parts.documentedCode.map((p) => ({
    doc: parts.tokenIdsOf(p.doc),
    code: parts.tokenIdsOf(p.code),
  }));
  for (const neighbours of [16, 48]) {
    for (const minWeight of [1, 2]) {
      const base: SmoothingOptions = { alpha: 0, neighbours, minPairCount: 3, minWeight };
      const lists = crossNeighbours(tokenized, parts.weights, base);
      for (const alpha of [0.25, 0.5, 1]) {
        const vectors = smoothTokenVectors(parts.randomVectors, dimension, lists, alpha);
        const scores = scoreRetrieval(pairs, parts.tokenIdsOf, parts.weights, vectors, dimension);
        process.stdout.write(`k=${neighbours} minW=${minWeight} α=${alpha}  ${format(scores)}\n`);
      }
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
