/**
 * The trained model's encoder and its training step, on plain Float32Arrays with hand-derived gradients.
 *
 * A text is a sequence of token ids (with [CLS]/[SEP] as the tokenizer adds them). Its vector is a weighted
 * sum of per-token embeddings, L2-normalised:
 *
 *   u = Σ_i tf_i · exp(s[t_i] + p[t_(i−1)] + n[t_(i+1)]) · E[t_i]        v = u / ‖u‖
 *
 * - s: a learned log-weight per token (how much the token matters);
 * - p, n: learned log-weight adjustments by the previous and next token, so position in the syntax can matter
 *   (the name after `function`, `class` or `get`, the name before `(`); absent in a bag-only model;
 * - tf_i = (1 + ln c) / c for a token that occurs c times, so the token as a whole counts 1 + ln c (repeated
 *   words do not drown the rest);
 * - E: the token embedding table.
 * Each side (query, code) has its own s, p, n and may have its own E. The ONNX export (`weighted-bag-graph.ts`)
 * computes exactly this; a query is recognised in the graph by the query marker token right after [CLS].
 *
 * Training: in-batch softmax over scaled cosine similarities (InfoNCE): for a batch of (query, code) pairs,
 * S = scale · Q·Cᵀ, loss = mean cross-entropy of each row against its own code (plus, weighted, each column
 * against its own query). Pairs whose code is the same chunk are not counted as each other's negatives.
 * Updates are lazy Adam: only rows touched by the batch move, which is what makes a 16k × 256 table cheap.
 */

/**
 * A tokenised text, one entry per distinct (token, previous token, next token) occurrence or — in a bag —
 * per distinct token. `factors` already include term-frequency damping.
 */
export interface Bag {
  readonly ids: Int32Array;
  readonly factors: Float32Array;
  /** Previous / next token of each entry, when the model uses context. */
  readonly prev?: Int32Array;
  readonly next?: Int32Array;
}

/**
 * Term-frequency damping: a token seen c times counts 1 + ln c (`log`) or c (`linear`). Damping keeps a
 * chunk's repeated words (`this`, `value`, a variable used twenty times) from drowning its rarer ones.
 */
export type TermFrequency = 'linear' | 'log';

export function termFrequency(count: number, tf: TermFrequency): number {
  return tf === 'log' ? 1 + Math.log(count) : count;
}

/** Token id used for "no previous/next token" at the ends of a sequence ([PAD]). */
export const EDGE_ID = 0;

/**
 * Turns a token id sequence into model input. Without context, one entry per distinct token (first-occurrence
 * order) with factor tf(c). With context, one entry per position with factor tf(c) / c, so that a token's
 * occurrences still add up to tf(c) when their context weights are equal.
 */
export function toBag(ids: ArrayLike<number>, tf: TermFrequency = 'linear', context = false): Bag {
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) counts.set(ids[i] as number, (counts.get(ids[i] as number) ?? 0) + 1);
  if (context) {
    const n = ids.length;
    return {
      ids: Int32Array.from(ids),
      factors: Float32Array.from(ids, (id) => {
        const c = counts.get(id) as number;
        return termFrequency(c, tf) / c;
      }),
      prev: Int32Array.from({ length: n }, (_, i) => (i === 0 ? EDGE_ID : (ids[i - 1] as number))),
      next: Int32Array.from({ length: n }, (_, i) => (i === n - 1 ? EDGE_ID : (ids[i + 1] as number))),
    };
  }
  const unique = [...counts.keys()];
  return {
    ids: Int32Array.from(unique),
    factors: Float32Array.from(unique, (id) => termFrequency(counts.get(id) as number, tf)),
  };
}

export type Side = 'query' | 'code';

/** The parameters of one side. */
export interface SideTables {
  /** Row-major [vocabSize, dimension]. May be the same array as the other side's. */
  readonly embeddings: Float32Array;
  /** [vocabSize] log-weights. */
  readonly logWeights: Float32Array;
  /** [vocabSize] log-weight adjustment by the previous / next token (context models only). */
  readonly prevLogWeights?: Float32Array;
  readonly nextLogWeights?: Float32Array;
}

export interface BagModel {
  readonly vocabSize: number;
  readonly dimension: number;
  readonly query: SideTables;
  readonly code: SideTables;
}

export const sharesEmbeddings = (model: BagModel) => model.query.embeddings === model.code.embeddings;

function logit(t: SideTables, bag: Bag, k: number): number {
  let x = t.logWeights[bag.ids[k] as number] as number;
  if (bag.prev && t.prevLogWeights) x += t.prevLogWeights[bag.prev[k] as number] as number;
  if (bag.next && t.nextLogWeights) x += t.nextLogWeights[bag.next[k] as number] as number;
  return x;
}

/**
 * Embeds one bag: writes the unit vector to `out` and returns ‖u‖ (0 for an empty or all-zero bag, whose
 * vector is then all zeros).
 */
export function embedBag(model: BagModel, side: Side, bag: Bag, out: Float32Array): number {
  const t = model[side];
  const emb = t.embeddings;
  const D = model.dimension;
  out.fill(0);
  for (let k = 0; k < bag.ids.length; k++) {
    const a = (bag.factors[k] as number) * Math.exp(logit(t, bag, k));
    const base = (bag.ids[k] as number) * D;
    for (let d = 0; d < D; d++) out[d] = (out[d] as number) + a * (emb[base + d] as number);
  }
  let sq = 0;
  for (let d = 0; d < D; d++) sq += (out[d] as number) ** 2;
  const norm = Math.sqrt(sq);
  if (norm > 0) for (let d = 0; d < D; d++) out[d] = (out[d] as number) / norm;
  return norm;
}

/** Embeds many bags into one row-major matrix [bags.length, dimension]. */
export function embedBags(model: BagModel, side: Side, bags: readonly Bag[]): Float32Array {
  const D = model.dimension;
  const out = new Float32Array(bags.length * D);
  bags.forEach((bag, i) => {
    embedBag(model, side, bag, out.subarray(i * D, (i + 1) * D));
  });
  return out;
}

export interface LossSettings {
  /** Multiplies cosine similarities before the softmax (1 / temperature). */
  readonly scale: number;
  /** Weight of the code → query direction (0: queries → code only). */
  readonly symmetric: number;
}

/** Gradients of one batch, kept sparsely: per parameter table, the touched ids. */
export class SparseGradients {
  readonly dimension: number;
  /** Embedding table → (token id → row gradient). */
  readonly rows = new Map<Float32Array, Map<number, Float32Array>>();
  /** Scalar table (log-weights) → (token id → gradient). */
  readonly scalars = new Map<Float32Array, Map<number, number>>();

  constructor(dimension: number) {
    this.dimension = dimension;
  }

  row(table: Float32Array, id: number): Float32Array {
    let rows = this.rows.get(table);
    if (!rows) {
      rows = new Map();
      this.rows.set(table, rows);
    }
    let row = rows.get(id);
    if (!row) {
      row = new Float32Array(this.dimension);
      rows.set(id, row);
    }
    return row;
  }

  addScalar(table: Float32Array, id: number, value: number): void {
    let map = this.scalars.get(table);
    if (!map) {
      map = new Map();
      this.scalars.set(table, map);
    }
    map.set(id, (map.get(id) ?? 0) + value);
  }
}

/** Back-propagates dL/dv of one bag (its unit vector v, pre-normalisation norm `norm`) into `grads`. */
export function backwardBag(
  model: BagModel,
  side: Side,
  bag: Bag,
  v: Float32Array,
  norm: number,
  gradV: Float32Array,
  grads: SparseGradients,
): void {
  if (norm === 0) return;
  const t = model[side];
  const emb = t.embeddings;
  const D = model.dimension;
  let dot = 0;
  for (let d = 0; d < D; d++) dot += (v[d] as number) * (gradV[d] as number);
  const gradU = new Float32Array(D);
  for (let d = 0; d < D; d++) gradU[d] = ((gradV[d] as number) - (v[d] as number) * dot) / norm;
  for (let k = 0; k < bag.ids.length; k++) {
    const id = bag.ids[k] as number;
    const a = (bag.factors[k] as number) * Math.exp(logit(t, bag, k));
    const row = grads.row(emb, id);
    const base = id * D;
    let eg = 0;
    for (let d = 0; d < D; d++) {
      const g = gradU[d] as number;
      row[d] = (row[d] as number) + a * g;
      eg += (emb[base + d] as number) * g;
    }
    // d(a·E·gradU)/d(logit) = a · (E·gradU), shared by every log-weight that feeds the logit.
    const gLogit = a * eg;
    grads.addScalar(t.logWeights, id, gLogit);
    if (bag.prev && t.prevLogWeights) grads.addScalar(t.prevLogWeights, bag.prev[k] as number, gLogit);
    if (bag.next && t.nextLogWeights) grads.addScalar(t.nextLogWeights, bag.next[k] as number, gLogit);
  }
}

export interface BatchResult {
  readonly loss: number;
  readonly grads: SparseGradients;
}

/**
 * Loss and gradients of one batch. `codes` holds the B positives (code i belongs to query i) followed by any
 * extra negatives (hard negatives: other chunks of the same file); `codeKeys` has one key per code. A code
 * whose key equals query i's own code key is left out of row i's softmax (the same chunk is not a negative).
 */
export function batchLossAndGradients(
  model: BagModel,
  queries: readonly Bag[],
  codes: readonly Bag[],
  codeKeys: readonly number[],
  settings: LossSettings,
): BatchResult {
  const B = queries.length;
  const C = codes.length;
  const D = model.dimension;
  const q = new Float32Array(B * D);
  const c = new Float32Array(C * D);
  const qNorm = new Float64Array(B);
  const cNorm = new Float64Array(C);
  for (let i = 0; i < B; i++)
    qNorm[i] = embedBag(model, 'query', queries[i] as Bag, q.subarray(i * D, (i + 1) * D));
  for (let j = 0; j < C; j++)
    cNorm[j] = embedBag(model, 'code', codes[j] as Bag, c.subarray(j * D, (j + 1) * D));
  // Scores S[i][j] = scale · q_i · c_j, with masked entries at -Infinity.
  const S = new Float64Array(B * C);
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < C; j++) {
      if (i !== j && codeKeys[i] === codeKeys[j]) {
        S[i * C + j] = Number.NEGATIVE_INFINITY;
        continue;
      }
      let s = 0;
      for (let d = 0; d < D; d++) s += (q[i * D + d] as number) * (c[j * D + d] as number);
      S[i * C + j] = settings.scale * s;
    }
  }
  // dL/dS from row-wise (query → code) and, weighted, column-wise (code → query) cross-entropy.
  const G = new Float64Array(B * C);
  let loss = 0;
  const crossEntropy = (offset: number, stride: number, count: number, target: number, weight: number) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < count; k++) max = Math.max(max, S[offset + k * stride] as number);
    let sum = 0;
    for (let k = 0; k < count; k++) sum += Math.exp((S[offset + k * stride] as number) - max);
    const logZ = max + Math.log(sum);
    loss += (weight * (logZ - (S[offset + target * stride] as number))) / B;
    for (let k = 0; k < count; k++) {
      const p = Math.exp((S[offset + k * stride] as number) - logZ);
      G[offset + k * stride] =
        (G[offset + k * stride] as number) + (weight * (p - (k === target ? 1 : 0))) / B;
    }
  };
  for (let i = 0; i < B; i++) crossEntropy(i * C, 1, C, i, 1);
  if (settings.symmetric > 0) for (let j = 0; j < B; j++) crossEntropy(j, C, B, j, settings.symmetric);

  // dL/dq_i = scale Σ_j G_ij c_j ; dL/dc_j = scale Σ_i G_ij q_i
  const grads = new SparseGradients(D);
  const g = new Float32Array(D);
  for (let i = 0; i < B; i++) {
    g.fill(0);
    for (let j = 0; j < C; j++) {
      const w = (G[i * C + j] as number) * settings.scale;
      if (w === 0) continue;
      for (let d = 0; d < D; d++) g[d] = (g[d] as number) + w * (c[j * D + d] as number);
    }
    backwardBag(
      model,
      'query',
      queries[i] as Bag,
      q.subarray(i * D, (i + 1) * D),
      qNorm[i] as number,
      g,
      grads,
    );
  }
  for (let j = 0; j < C; j++) {
    g.fill(0);
    for (let i = 0; i < B; i++) {
      const w = (G[i * C + j] as number) * settings.scale;
      if (w === 0) continue;
      for (let d = 0; d < D; d++) g[d] = (g[d] as number) + w * (q[i * D + d] as number);
    }
    backwardBag(model, 'code', codes[j] as Bag, c.subarray(j * D, (j + 1) * D), cNorm[j] as number, g, grads);
  }
  return { loss, grads };
}

export interface AdamSettings {
  readonly embeddingRate: number;
  readonly weightRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Lazy Adam: moments kept for every parameter, but only the entries in a batch's gradients are updated. */
export class LazyAdam {
  readonly #dimension: number;
  readonly #settings: AdamSettings;
  readonly #m = new Map<Float32Array, Float32Array>();
  readonly #v = new Map<Float32Array, Float32Array>();
  #step = 0;

  constructor(dimension: number, settings: AdamSettings) {
    this.#dimension = dimension;
    this.#settings = settings;
  }

  #moments(param: Float32Array): [Float32Array, Float32Array] {
    let m = this.#m.get(param);
    let v = this.#v.get(param);
    if (!m || !v) {
      m = new Float32Array(param.length);
      v = new Float32Array(param.length);
      this.#m.set(param, m);
      this.#v.set(param, v);
    }
    return [m, v];
  }

  /** Applies one update; `rateScale` multiplies both learning rates (for schedules). */
  apply(grads: SparseGradients, rateScale = 1): void {
    this.#step++;
    const { beta1, beta2, epsilon } = this.#settings;
    const c1 = 1 - beta1 ** this.#step;
    const c2 = 1 - beta2 ** this.#step;
    const D = this.#dimension;
    const update = (
      param: Float32Array,
      m: Float32Array,
      v: Float32Array,
      at: number,
      g: number,
      rate: number,
    ) => {
      const mi = beta1 * (m[at] as number) + (1 - beta1) * g;
      const vi = beta2 * (v[at] as number) + (1 - beta2) * g * g;
      m[at] = mi;
      v[at] = vi;
      param[at] = (param[at] as number) - (rate * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
    };
    // Sorted ids: the floating-point result must not depend on map insertion order.
    for (const [table, rows] of grads.rows) {
      const [m, v] = this.#moments(table);
      const rate = this.#settings.embeddingRate * rateScale;
      for (const [id, row] of [...rows].sort((a, b) => a[0] - b[0])) {
        for (let d = 0; d < D; d++) update(table, m, v, id * D + d, row[d] as number, rate);
      }
    }
    for (const [table, values] of grads.scalars) {
      const [m, v] = this.#moments(table);
      const rate = this.#settings.weightRate * rateScale;
      for (const [id, g] of [...values].sort((a, b) => a[0] - b[0])) update(table, m, v, id, g, rate);
    }
  }
}
