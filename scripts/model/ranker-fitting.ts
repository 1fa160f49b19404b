/**
 * Fits the hybrid ranker a model ships (`hybrid.ranker` in codesearch-model.json; search/hybrid-ranker.ts).
 *
 * Data: for each held-out query, the candidates search would rank — each side's best, with the features
 * search computes for them (the engine's own `rankingCandidates` and `featureRows`) — and which of them is
 * the answer. Model: a linear score over standardised features. Loss: listwise softmax (the cross-entropy of
 * the answer among its query's candidates), which rewards putting the answer first rather than classifying
 * every candidate; plus an L2 penalty. Convex, so Newton's method with a backtracking line search finds the
 * one optimum in a few dozen steps, deterministically.
 *
 * The penalty is chosen by leave-one-package-out cross-validation, so the reported score is for packages the
 * ranker was not fit on.
 */
import { rankerScores } from '../../src/engine/search/hybrid-ranker.ts';
import { RANKER_FEATURES, type RankerFeature } from '../../src/engine/search/ranker-features.ts';
import type { HybridRanker } from '../../src/engine/types.ts';

/** One query's candidates: their feature rows, which are answers, and the package the query comes from. */
export interface RankingGroup {
  readonly rows: readonly Float64Array[];
  readonly answers: readonly boolean[];
  readonly pkg: number;
}

/** Penalties tried by cross-validation. */
export const L2_GRID = [0, 1e-3, 1e-2, 1e-1] as const;

function standardisation(
  groups: readonly RankingGroup[],
  width: number,
): { center: number[]; scale: number[] } {
  const center = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(0);
  let count = 0;
  for (const g of groups) {
    for (const row of g.rows) {
      count++;
      for (let f = 0; f < width; f++) center[f] = (center[f] as number) + (row[f] as number);
    }
  }
  for (let f = 0; f < width; f++) center[f] = (center[f] as number) / Math.max(1, count);
  for (const g of groups) {
    for (const row of g.rows) {
      for (let f = 0; f < width; f++)
        scale[f] = (scale[f] as number) + ((row[f] as number) - (center[f] as number)) ** 2;
    }
  }
  // A constant feature gets scale 1: its weight stays 0 under the penalty, or is harmless without it.
  for (let f = 0; f < width; f++) {
    const sd = Math.sqrt((scale[f] as number) / Math.max(1, count));
    scale[f] = sd > 1e-9 ? sd : 1;
  }
  return { center, scale };
}

/** Loss, gradient and Hessian of the listwise softmax loss at `w` (standardised rows). */
function lossTerms(
  groups: readonly { z: Float64Array[]; target: Float64Array }[],
  w: Float64Array,
  l2: number,
): { loss: number; gradient: Float64Array; hessian: Float64Array[] } {
  const width = w.length;
  const gradient = new Float64Array(width);
  const hessian = Array.from({ length: width }, () => new Float64Array(width));
  let loss = 0;
  for (const { z, target } of groups) {
    const s = z.map((row) => row.reduce((acc, x, f) => acc + x * (w[f] as number), 0));
    const top = Math.max(...s);
    const e = s.map((x) => Math.exp(x - top));
    const total = e.reduce((a, b) => a + b, 0);
    const p = e.map((x) => x / total);
    const logZ = top + Math.log(total);
    const mean = new Float64Array(width);
    z.forEach((row, k) => {
      loss -= (target[k] as number) * ((s[k] as number) - logZ);
      const coefficient = (p[k] as number) - (target[k] as number);
      for (let f = 0; f < width; f++) {
        gradient[f] = (gradient[f] as number) + coefficient * (row[f] as number);
        mean[f] = (mean[f] as number) + (p[k] as number) * (row[f] as number);
      }
    });
    // Hessian of log-sum-exp: Σ_k p_k (z_k − z̄)(z_k − z̄)ᵀ.
    z.forEach((row, k) => {
      const pk = p[k] as number;
      for (let a = 0; a < width; a++) {
        const da = (row[a] as number) - (mean[a] as number);
        const hRow = hessian[a] as Float64Array;
        for (let b = 0; b < width; b++)
          hRow[b] = (hRow[b] as number) + pk * da * ((row[b] as number) - (mean[b] as number));
      }
    });
  }
  const n = Math.max(1, groups.length);
  loss /= n;
  for (let a = 0; a < width; a++) {
    gradient[a] = (gradient[a] as number) / n + 2 * l2 * (w[a] as number);
    const hRow = hessian[a] as Float64Array;
    for (let b = 0; b < width; b++) hRow[b] = (hRow[b] as number) / n + (a === b ? 2 * l2 + 1e-9 : 0);
    loss += l2 * (w[a] as number) ** 2;
  }
  return { loss, gradient, hessian };
}

/** Solves H x = g by Gaussian elimination with partial pivoting (H is small and positive definite). */
function solve(hessian: readonly Float64Array[], gradient: Float64Array): Float64Array {
  const n = gradient.length;
  const m = hessian.map((row, i) => [...row, gradient[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(m[r]?.[col] ?? 0) > Math.abs(m[pivot]?.[col] ?? 0)) pivot = r;
    }
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const pivotRow = m[col] as number[];
    const diagonal = pivotRow[col] as number;
    for (let r = col + 1; r < n; r++) {
      const row = m[r] as number[];
      const factor = (row[col] as number) / diagonal;
      for (let c = col; c <= n; c++) row[c] = (row[c] as number) - factor * (pivotRow[c] as number);
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r] as number[];
    let acc = row[n] as number;
    for (let c = r + 1; c < n; c++) acc -= (row[c] as number) * (x[c] as number);
    x[r] = acc / (row[r] as number);
  }
  return x;
}

/**
 * The ranker minimising the listwise softmax loss plus `l2`·‖w‖² over `groups` (queries without an answer
 * among their candidates carry no signal and are left out, of the standardisation too).
 */
export function fitRanker(
  groups: readonly RankingGroup[],
  features: readonly RankerFeature[],
  l2: number,
): HybridRanker {
  const width = features.length;
  const answered = groups.filter((g) => g.answers.some(Boolean));
  const { center, scale } = standardisation(answered, width);
  const usable = answered.map((g) => {
    const answers = g.answers.filter(Boolean).length;
    return {
      z: g.rows.map((row) =>
        Float64Array.from(row, (x, f) => (x - (center[f] as number)) / (scale[f] as number)),
      ),
      target: Float64Array.from(g.answers, (a) => (a ? 1 / answers : 0)),
    };
  });
  let w = new Float64Array(width);
  let current = lossTerms(usable, w, l2);
  for (let step = 0; step < 100; step++) {
    const direction = solve(current.hessian, current.gradient);
    let rate = 1;
    let next = w;
    let terms = current;
    // Backtracking: halve the Newton step until the loss goes down.
    for (; rate > 1e-6; rate /= 2) {
      next = Float64Array.from(w, (x, f) => x - rate * (direction[f] as number));
      terms = lossTerms(usable, next, l2);
      if (terms.loss <= current.loss) break;
    }
    const moved = Math.max(...Array.from(next, (x, f) => Math.abs(x - (w[f] as number))));
    w = next;
    current = terms;
    if (moved < 1e-9) break;
  }
  return { features: [...features], center, scale, weights: Array.from(w) };
}

/** Sum of reciprocal ranks (within the top 10) of each group's first answer under `ranker`'s scores. */
export function reciprocalRankSum(ranker: HybridRanker, groups: readonly RankingGroup[]): number {
  let sum = 0;
  for (const g of groups) {
    const scores = rankerScores(ranker, g.rows);
    const order = scores.map((s, k) => ({ s, k })).sort((a, b) => b.s - a.s || a.k - b.k);
    const rank = order.slice(0, 10).findIndex(({ k }) => g.answers[k]);
    if (rank >= 0) sum += 1 / (rank + 1);
  }
  return sum;
}

export interface RankerChoice {
  readonly ranker: HybridRanker;
  readonly l2: number;
  /** Cross-validated MRR@10 (folds of packages) for each penalty tried. */
  readonly crossValidated: readonly { l2: number; mrr10: number }[];
  /** MRR@10 on the groups it was fit on (optimistic). */
  readonly fitted: number;
}

/** The cross-validated MRR@10 of the penalty that was chosen. */
export function bestCrossValidated(choice: RankerChoice): number {
  return choice.crossValidated.find((c) => c.l2 === choice.l2)?.mrr10 ?? 0;
}

/** Folds of the cross-validation at most: with more packages than this, each fold holds several. */
export const MAX_FOLDS = 10;

/**
 * Chooses the penalty by cross-validation over packages (the ranker is scored on each fold's packages after
 * being fit on the others' — leave one package out when there are at most {@link MAX_FOLDS} packages, else
 * package number modulo ten), then fits on every group with it.
 */
export function chooseRanker(
  groups: readonly RankingGroup[],
  features: readonly RankerFeature[],
  grid: readonly number[] = L2_GRID,
): RankerChoice {
  const packages = [...new Set(groups.map((g) => g.pkg))].sort((a, b) => a - b);
  const folds = Math.min(MAX_FOLDS, packages.length);
  const foldOf = new Map(packages.map((pkg, i) => [pkg, i % folds]));
  const crossValidated = grid.map((l2) => {
    let sum = 0;
    for (let fold = 0; fold < folds; fold++) {
      const ranker = fitRanker(
        groups.filter((g) => foldOf.get(g.pkg) !== fold),
        features,
        l2,
      );
      sum += reciprocalRankSum(
        ranker,
        groups.filter((g) => foldOf.get(g.pkg) === fold),
      );
    }
    return { l2, mrr10: sum / Math.max(1, groups.length) };
  });
  const best = crossValidated.reduce((a, b) => (b.mrr10 > a.mrr10 ? b : a));
  const ranker = fitRanker(groups, features, best.l2);
  return {
    ranker,
    l2: best.l2,
    crossValidated,
    fitted: reciprocalRankSum(ranker, groups) / Math.max(1, groups.length),
  };
}

/** The model's features (its window and name cosines) and the lexical coverage ones, for the ablations. */
const MODEL_FEATURES: readonly RankerFeature[] = ['window', 'windowGap', 'windowRank', 'name', 'nameGap'];
const COVERAGE_FEATURES: readonly RankerFeature[] = ['nameOverlap', 'pathOverlap'];
const ROLE_FEATURES: readonly RankerFeature[] = ['test', 'testAsked', 'exampleOrDocs', 'exampleOrDocsAsked'];
const without = (left: readonly RankerFeature[]) => RANKER_FEATURES.filter((f) => !left.includes(f));

/** Variants fit beside the shipped ranker, to show where its gain comes from (reported in the data card). */
export const RANKER_ABLATIONS: readonly {
  readonly name: string;
  readonly features: readonly RankerFeature[];
}[] = [
  { name: 'BM25 and lexical coverage, without the model', features: without(MODEL_FEATURES) },
  { name: 'the model and BM25, without lexical coverage', features: without(COVERAGE_FEATURES) },
  { name: 'without the role priors (tests, examples, docs)', features: without(ROLE_FEATURES) },
  {
    name: 'the two ranks only (a learned rank fusion)',
    features: ['windowRank', 'keywordFound', 'keywordRank'],
  },
];

/** `groups` with only the columns of `subset` (rows were computed for `all`, in that order). */
export function selectFeatures(
  groups: readonly RankingGroup[],
  all: readonly RankerFeature[],
  subset: readonly RankerFeature[],
): RankingGroup[] {
  const columns = subset.map((feature) => {
    const column = all.indexOf(feature);
    if (column < 0) throw new Error(`feature ${feature} was not computed`);
    return column;
  });
  return groups.map((g) => ({
    ...g,
    rows: g.rows.map((row) => Float64Array.from(columns, (c) => row[c] as number)),
  }));
}
