import { describe, expect, it } from 'vitest';
import type { RankerFeature } from '#engine/search/ranker-features.ts';
import { mulberry32 } from '../../../scripts/model/random.ts';
import {
  chooseRanker,
  fitRanker,
  type RankingGroup,
  reciprocalRankSum,
  selectFeatures,
} from '../../../scripts/model/ranker-fitting.ts';

const FEATURES: RankerFeature[] = ['window', 'keyword', 'lines'];

/**
 * Queries of 8 candidates each: the answer has a higher `window` and `keyword` than the others on average
 * (noisy, so neither alone is perfect), and `lines` is noise. Packages 0–3.
 */
function syntheticGroups(count: number, seed: number): RankingGroup[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, q) => {
    const answer = Math.floor(random() * 8);
    const rows = Array.from({ length: 8 }, (_, k) => {
      const lift = k === answer ? 1 : 0;
      return Float64Array.from([0.3 + 0.2 * lift + 0.3 * random(), 5 * lift + 8 * random(), 3 + random()]);
    });
    return { rows, answers: rows.map((_, k) => k === answer), pkg: q % 4 };
  });
}

describe('fitting the hybrid ranker', () => {
  const groups = syntheticGroups(400, 1);

  it('learns positive weights for the informative features and ranks better than either alone', () => {
    const ranker = fitRanker(groups, FEATURES, 0);
    expect(ranker.features).toEqual(FEATURES);
    expect(ranker.weights[0]).toBeGreaterThan(0.5);
    expect(ranker.weights[1]).toBeGreaterThan(0.5);
    expect(Math.abs(ranker.weights[2] ?? 0)).toBeLessThan(0.3);
    // Standardisation is what the weights apply to: centre near the mean, scale near the spread
    expect(ranker.center[2]).toBeCloseTo(3.5, 1);
    const alone = (f: RankerFeature) =>
      reciprocalRankSum(
        fitRanker(selectFeatures(groups, FEATURES, [f]), [f], 0),
        selectFeatures(groups, FEATURES, [f]),
      );
    const both = reciprocalRankSum(ranker, groups);
    expect(both).toBeGreaterThan(alone('window'));
    expect(both).toBeGreaterThan(alone('keyword'));
  });

  it('reaches the optimum: no small step from the fitted weights lowers the loss', () => {
    const ranker = fitRanker(groups, FEATURES, 0.01);
    const loss = (weights: readonly number[]) => {
      let sum = 0;
      for (const g of groups) {
        const s = g.rows.map((row) =>
          weights.reduce(
            (acc, w, f) =>
              acc + (w * ((row[f] as number) - (ranker.center[f] as number))) / (ranker.scale[f] as number),
            0,
          ),
        );
        const top = Math.max(...s);
        const logZ = top + Math.log(s.reduce((acc, x) => acc + Math.exp(x - top), 0));
        sum += logZ - (s[g.answers.indexOf(true)] as number);
      }
      return sum / groups.length + 0.01 * weights.reduce((acc, w) => acc + w * w, 0);
    };
    const best = loss(ranker.weights);
    for (let f = 0; f < FEATURES.length; f++) {
      for (const delta of [-1e-3, 1e-3]) {
        const moved = ranker.weights.map((w, i) => (i === f ? w + delta : w));
        expect(loss(moved)).toBeGreaterThanOrEqual(best);
      }
    }
  });

  it('shrinks the weights as the penalty grows', () => {
    const size = (l2: number) => Math.hypot(...fitRanker(groups, FEATURES, l2).weights);
    expect(size(0.1)).toBeLessThan(size(0.001));
    expect(size(10)).toBeLessThan(size(0.1));
  });

  it('chooses the penalty by leave-one-package-out cross-validation, deterministically', () => {
    const grid = [0, 0.01, 100];
    const choice = chooseRanker(groups, FEATURES, grid);
    expect(choice.crossValidated.map((c) => c.l2)).toEqual(grid);
    // A huge penalty flattens every weight: worse on held-out packages
    const score = (l2: number) => choice.crossValidated.find((c) => c.l2 === l2)?.mrr10 ?? 0;
    expect(score(100)).toBeLessThan(Math.max(score(0), score(0.01)));
    expect(choice.l2).not.toBe(100);
    expect(choice.fitted).toBeGreaterThan(0);
    expect(chooseRanker(groups, FEATURES, grid)).toEqual(choice);
  });

  it('ignores queries whose answer is not among the candidates', () => {
    const missing: RankingGroup = { rows: [Float64Array.from([9, 9, 9])], answers: [false], pkg: 0 };
    expect(fitRanker([...groups, missing], FEATURES, 0.01).weights).toEqual(
      fitRanker(groups, FEATURES, 0.01).weights.map((w) => expect.closeTo(w, 1)),
    );
  });

  it('selects feature columns by name, and refuses one that was not computed', () => {
    const [first] = selectFeatures(groups.slice(0, 1), FEATURES, ['lines', 'window']);
    expect([...(first?.rows[0] ?? [])]).toEqual([groups[0]?.rows[0]?.[2], groups[0]?.rows[0]?.[0]]);
    expect(() => selectFeatures(groups, FEATURES, ['name'])).toThrow(/name was not computed/);
  });
});
