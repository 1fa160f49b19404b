/**
 * The training loop around `bag-encoder.ts`: tokenised pairs in, a trained {@link BagModel} out, with a
 * held-out retrieval check after every epoch. Seeded and single-threaded, so a run is reproducible bit for bit.
 */
import {
  type AdamSettings,
  type Bag,
  type BagModel,
  batchLossAndGradients,
  embedBags,
  LazyAdam,
  type LossSettings,
} from './bag-encoder.ts';
import { gaussian, mulberry32 } from './random.ts';

export interface TrainingPair {
  readonly query: Bag;
  readonly code: Bag;
  /** Pairs with the same key share their code chunk and are never each other's negatives. */
  readonly codeKey: number;
  /** Batches are drawn within a group when {@link TrainSettings.groupedBatches} is set (e.g. a package). */
  readonly group: number;
}

/** Ids below this are [PAD], [UNK], [CLS], [SEP]: never dropped or masked. */
const FIRST_CONTENT_ID = 4;

export interface TrainSettings extends LossSettings, AdamSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Fraction of batches drawn from a single group (harder in-batch negatives); the rest are mixed. */
  readonly groupedBatches: number;
  /** Linear decay of the learning rate to this fraction of its start over the run. */
  readonly finalRateFraction: number;
  /**
   * Probability that a pair's code side loses every token its query also has, for that step: the model must
   * then match on meaning alone ("number of columns" → `numCols`, `length`), which is what keyword search
   * cannot do.
   */
  readonly overlapMask: number;
  /** Probability of dropping each distinct token of a code bag, for that step (word dropout). */
  readonly tokenDropout: number;
}

/**
 * The code side of a pair as one training step sees it, after overlap masking and word dropout. Special
 * tokens ([PAD], [UNK], [CLS], [SEP]) are never removed.
 */
export function augmentCode(
  pair: TrainingPair,
  settings: Pick<TrainSettings, 'overlapMask' | 'tokenDropout'>,
  random: () => number,
): Bag {
  const mask = settings.overlapMask > 0 && random() < settings.overlapMask;
  if (!mask && settings.tokenDropout <= 0) return pair.code;
  const inQuery = new Set(mask ? pair.query.ids : []);
  const dropped = new Set<number>();
  const code = pair.code;
  const keep: number[] = [];
  for (let k = 0; k < code.ids.length; k++) {
    const id = code.ids[k] as number;
    if (id < FIRST_CONTENT_ID) {
      keep.push(k);
      continue;
    }
    if (inQuery.has(id) || dropped.has(id)) continue;
    // Dropout is per distinct token, so with context a token's occurrences go (or stay) together.
    if (settings.tokenDropout > 0 && random() < settings.tokenDropout) {
      dropped.add(id);
      continue;
    }
    keep.push(k);
  }
  const pick = <T extends Int32Array | Float32Array>(a: T) =>
    a.map((_, i) => a[keep[i] as number] as number).subarray(0, keep.length) as T;
  return {
    ids: pick(code.ids),
    factors: pick(code.factors),
    ...(code.prev ? { prev: pick(code.prev) } : {}),
    ...(code.next ? { next: pick(code.next) } : {}),
  };
}

/** A retrieval check: query bags, candidate bags, and the candidate index each query should find. */
export interface RetrievalSet {
  readonly queries: readonly Bag[];
  readonly candidates: readonly Bag[];
  readonly targets: readonly number[];
  /**
   * When given, a query is ranked only among the candidates of its own group (its package), as search
   * filtered to one repository ranks: `groups.candidates[j]` and `groups.queries[i]` are group numbers.
   */
  readonly groups?: ValidationGroups;
}

/**
 * Per-package ranking: a query is ranked among its own package's chunks only, as a search filtered to one
 * repository ranks (group numbers per chunk and per query).
 */
export interface ValidationGroups {
  readonly candidates: readonly number[];
  readonly queries: readonly number[];
}

/** The candidates each query is ranked among: all of them, or those of its group. */
export function candidatesByQuery(
  set: Pick<RetrievalSet, 'groups'>,
  queries: number,
  candidates: number,
): (i: number) => readonly number[] {
  if (!set.groups) {
    const all = Array.from({ length: candidates }, (_, j) => j);
    return () => all;
  }
  const byGroup = new Map<number, number[]>();
  set.groups.candidates.forEach((g, j) => {
    const list = byGroup.get(g) ?? [];
    list.push(j);
    byGroup.set(g, list);
  });
  const groups = set.groups.queries;
  return (i) => (i < queries ? (byGroup.get(groups[i] as number) ?? []) : []);
}

export interface RetrievalScores {
  readonly mrr10: number;
  readonly recall1: number;
  readonly recall10: number;
}

/** MRR@10 and recall@1/@10 of vector search over `set` (ties count against the target). */
export function evaluateRetrieval(model: BagModel, set: RetrievalSet): RetrievalScores {
  const D = model.dimension;
  const q = embedBags(model, 'query', set.queries);
  const c = embedBags(model, 'code', set.candidates);
  let rr = 0;
  let r1 = 0;
  let r10 = 0;
  const n = set.queries.length;
  const scores = new Float32Array(set.candidates.length);
  const pool = candidatesByQuery(set, n, set.candidates.length);
  for (let i = 0; i < n; i++) {
    const among = pool(i);
    for (const j of among) {
      let s = 0;
      for (let d = 0; d < D; d++) s += (q[i * D + d] as number) * (c[j * D + d] as number);
      scores[j] = s;
    }
    const target = set.targets[i] as number;
    const own = scores[target] as number;
    let rank = 0;
    for (const j of among) if (j !== target && (scores[j] as number) >= own) rank++;
    if (rank < 10) {
      rr += 1 / (rank + 1);
      r10++;
      if (rank === 0) r1++;
    }
  }
  return { mrr10: rr / n, recall1: r1 / n, recall10: r10 / n };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * One epoch's batches: a seeded shuffle, then (for `groupedBatches` of them) batches cut within one group,
 * the remaining pairs mixed. Every pair is used once per epoch.
 */
export function planEpoch(
  pairs: readonly TrainingPair[],
  settings: TrainSettings,
  random: () => number,
): number[][] {
  const order = shuffle(
    pairs.map((_, i) => i),
    random,
  );
  const B = settings.batchSize;
  const batches: number[][] = [];
  const mixed: number[] = [];
  if (settings.groupedBatches > 0) {
    const byGroup = new Map<number, number[]>();
    for (const i of order) {
      const g = (pairs[i] as TrainingPair).group;
      const list = byGroup.get(g) ?? [];
      list.push(i);
      byGroup.set(g, list);
    }
    for (const [, list] of [...byGroup].sort((a, b) => a[0] - b[0])) {
      const grouped = Math.floor((list.length * settings.groupedBatches) / B) * B;
      for (let k = 0; k < grouped; k += B) batches.push(list.slice(k, k + B));
      for (const i of list.slice(grouped)) mixed.push(i);
    }
    shuffle(mixed, random);
  } else for (const i of order) mixed.push(i); // not push(...order): hundreds of thousands of arguments
  for (let k = 0; k + B / 2 <= mixed.length; k += B) batches.push(mixed.slice(k, k + B));
  return shuffle(batches, random);
}

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly seconds: number;
  readonly validation?: RetrievalScores;
}

/** Trains `model` in place. `onEpoch` sees each epoch's mean loss and the validation scores. */
export function train(
  model: BagModel,
  pairs: readonly TrainingPair[],
  settings: TrainSettings,
  validation?: RetrievalSet,
  onEpoch: (report: EpochReport) => void = () => {},
): EpochReport[] {
  const random = mulberry32(settings.seed);
  const adam = new LazyAdam(model.dimension, settings);
  const reports: EpochReport[] = [];
  const plans = Array.from({ length: settings.epochs }, () => planEpoch(pairs, settings, random));
  const totalSteps = plans.reduce((sum, p) => sum + p.length, 0);
  let step = 0;
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    const batches = plans[epoch - 1] as number[][];
    for (const batch of batches) {
      const chosen = batch.map((i) => pairs[i] as TrainingPair);
      const { loss, grads } = batchLossAndGradients(
        model,
        chosen.map((p) => p.query),
        chosen.map((p) => augmentCode(p, settings, random)),
        chosen.map((p) => p.codeKey),
        settings,
      );
      lossSum += loss;
      const progress = step / Math.max(1, totalSteps - 1);
      adam.apply(grads, 1 - (1 - settings.finalRateFraction) * progress);
      step++;
    }
    const report: EpochReport = {
      epoch,
      loss: lossSum / Math.max(1, batches.length),
      seconds: (performance.now() - started) / 1000,
      ...(validation ? { validation: evaluateRetrieval(model, validation) } : {}),
    };
    reports.push(report);
    onEpoch(report);
  }
  return reports;
}

/** Seeded Gaussian rows scaled to unit length (the interim model's token vectors, for another seed). */
export function unitGaussianRows(rows: number, dimension: number, seed: number): Float32Array {
  const normal = gaussian(mulberry32(seed));
  const out = new Float32Array(rows * dimension);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let d = 0; d < dimension; d++) {
      const x = normal();
      out[r * dimension + d] = x;
      sq += x * x;
    }
    const norm = Math.sqrt(sq);
    for (let d = 0; d < dimension; d++) out[r * dimension + d] = (out[r * dimension + d] as number) / norm;
  }
  return out;
}
