/**
 * One step of co-occurrence smoothing for the random token vectors: a token's vector is pulled towards the
 * vectors of tokens that appear on the *other side* of doc-comment/code pairs with it (positive PMI), so that
 * a query word such as "remove" shares some direction with code tokens such as "unlink" or "splice":
 *
 *   E_i = normalise(R_i + α · normalise(Σ_j PPMI(i, j) · R_j))   over the top-k neighbours j of i
 */

export interface SmoothingOptions {
  /** Weight of the neighbour direction relative to the token's own random direction. */
  readonly alpha: number;
  /** Neighbours kept per token (highest PPMI first). */
  readonly neighbours: number;
  /** A (doc token, code token) pair must occur in at least this many definitions. */
  readonly minPairCount: number;
  /** Tokens with a lower IDF weight (punctuation, "the", "return"…) take no part. */
  readonly minWeight: number;
}

export interface TokenizedPair {
  readonly doc: Int32Array;
  readonly code: Int32Array;
}

interface Neighbour {
  readonly id: number;
  readonly ppmi: number;
}

/** Top-k PPMI neighbours of every token across the doc/code boundary (symmetric: doc→code and code→doc). */
export function crossNeighbours(
  pairs: readonly TokenizedPair[],
  weights: Float32Array,
  options: SmoothingOptions,
): Neighbour[][] {
  const vocabSize = weights.length;
  const keep = (id: number) => (weights[id] ?? 0) >= options.minWeight;
  const docCount = new Int32Array(vocabSize);
  const codeCount = new Int32Array(vocabSize);
  const joint = new Map<number, number>();
  for (const pair of pairs) {
    const doc = [...new Set(pair.doc)].filter(keep);
    const code = [...new Set(pair.code)].filter(keep);
    for (const i of doc) docCount[i] = (docCount[i] ?? 0) + 1;
    for (const j of code) codeCount[j] = (codeCount[j] ?? 0) + 1;
    for (const i of doc) {
      for (const j of code) {
        const key = i * vocabSize + j;
        joint.set(key, (joint.get(key) ?? 0) + 1);
      }
    }
  }

  const n = pairs.length;
  const lists: Neighbour[][] = Array.from({ length: vocabSize }, () => []);
  for (const [key, count] of joint) {
    if (count < options.minPairCount) continue;
    const i = Math.floor(key / vocabSize);
    const j = key % vocabSize;
    const pmi = Math.log((count * n) / ((docCount[i] ?? 1) * (codeCount[j] ?? 1)));
    if (pmi <= 0 || i === j) continue;
    lists[i]?.push({ id: j, ppmi: pmi });
    lists[j]?.push({ id: i, ppmi: pmi });
  }
  return lists.map((list) => {
    // A pair can arrive twice (i→j as doc→code and as code→doc); keep the stronger, then the top k.
    const best = new Map<number, number>();
    for (const { id, ppmi } of list) best.set(id, Math.max(best.get(id) ?? 0, ppmi));
    return [...best]
      .map(([id, ppmi]) => ({ id, ppmi }))
      .sort((a, b) => b.ppmi - a.ppmi || a.id - b.id)
      .slice(0, options.neighbours);
  });
}

/** Applies the smoothing step to row-major random vectors; tokens without neighbours keep their vector. */
export function smoothTokenVectors(
  random: Float32Array,
  dimension: number,
  neighbours: readonly Neighbour[][],
  alpha: number,
): Float32Array {
  const out = random.slice();
  const mix = new Float64Array(dimension);
  neighbours.forEach((list, t) => {
    if (list.length === 0) return;
    mix.fill(0);
    for (const { id, ppmi } of list) {
      for (let d = 0; d < dimension; d++) mix[d] = (mix[d] ?? 0) + ppmi * (random[id * dimension + d] ?? 0);
    }
    const mixNorm = Math.hypot(...mix) || 1;
    let sq = 0;
    for (let d = 0; d < dimension; d++) {
      const v = (random[t * dimension + d] ?? 0) + (alpha * (mix[d] ?? 0)) / mixNorm;
      out[t * dimension + d] = v;
      sq += v * v;
    }
    const norm = Math.sqrt(sq);
    for (let d = 0; d < dimension; d++) out[t * dimension + d] = (out[t * dimension + d] ?? 0) / norm;
  });
  return out;
}
