import { describe, expect, it } from 'vitest';
import {
  type Bag,
  type BagModel,
  batchLossAndGradients,
  embedBag,
  type SideTables,
  toBag,
} from '../../../scripts/model/bag-encoder.ts';
import { mulberry32 } from '../../../scripts/model/random.ts';
import {
  candidatesByQuery,
  evaluateRetrieval,
  type TrainingPair,
  type TrainSettings,
  train,
} from '../../../scripts/model/trainer.ts';

const V = 12;
const D = 5;

function tinyModel(options: { separate: boolean; context: boolean; seed?: number }): BagModel {
  const random = mulberry32(options.seed ?? 3);
  const table = () => Float32Array.from({ length: V * D }, () => random() * 2 - 1);
  const scalars = (spread: number) => Float32Array.from({ length: V }, () => (random() - 0.5) * spread);
  const side = (embeddings: Float32Array): SideTables => ({
    embeddings,
    logWeights: scalars(1),
    ...(options.context ? { prevLogWeights: scalars(0.5), nextLogWeights: scalars(0.5) } : {}),
  });
  const code = table();
  return {
    vocabSize: V,
    dimension: D,
    code: side(code),
    query: side(options.separate ? table() : code),
  };
}

const LOSS = { scale: 5, symmetric: 0.5 };
const QUERIES = [
  [2, 4, 5, 3],
  [2, 6, 6, 7, 3],
  [2, 8, 3],
  [2, 9, 4, 10, 3],
];
const CODES = [
  [2, 4, 11, 5, 5, 3],
  [2, 7, 6, 3],
  [2, 8, 8, 11, 3],
  [2, 10, 9, 4, 3],
  // A hard negative (no query of its own).
  [2, 4, 5, 9, 3],
];

function lossOf(model: BagModel, context: boolean, keys = [0, 1, 2, 3, 4]): number {
  const bags = (seqs: number[][]): Bag[] => seqs.map((s) => toBag(s, 'log', context));
  return batchLossAndGradients(model, bags(QUERIES), bags(CODES), keys, LOSS).loss;
}

describe('the bag encoder', () => {
  it('embeds a bag as the normalised weighted sum of its token vectors', () => {
    // prepare
    const model = tinyModel({ separate: false, context: false });
    const out = new Float32Array(D);
    // act: token 4 twice and token 5 once, linear term frequency
    embedBag(model, 'code', toBag([4, 5, 4]), out);
    // assess
    const w = (id: number) => Math.exp(model.code.logWeights[id] as number);
    const expected = Array.from(
      { length: D },
      (_, d) =>
        2 * w(4) * (model.code.embeddings[4 * D + d] as number) +
        w(5) * (model.code.embeddings[5 * D + d] as number),
    );
    const norm = Math.hypot(...expected);
    for (let d = 0; d < D; d++) expect(out[d]).toBeCloseTo((expected[d] as number) / norm, 6);
  });

  it('damps term frequency to 1 + ln c, in bag and in context form alike', () => {
    const bag = toBag([4, 4, 4, 7], 'log');
    expect([...bag.ids]).toEqual([4, 7]);
    expect(bag.factors[0]).toBeCloseTo(1 + Math.log(3), 6);
    const withContext = toBag([4, 4, 4, 7], 'log', true);
    const total = [...withContext.factors].slice(0, 3).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1 + Math.log(3), 6);
    expect([...(withContext.prev ?? [])]).toEqual([0, 4, 4, 4]);
    expect([...(withContext.next ?? [])]).toEqual([4, 4, 7, 0]);
  });

  for (const variant of [
    { separate: false, context: false },
    { separate: true, context: true },
  ]) {
    it(`has gradients that match finite differences (${variant.separate ? 'separate' : 'shared'} tables, ${variant.context ? 'with' : 'without'} context)`, () => {
      // prepare
      const model = tinyModel(variant);
      const bags = (seqs: number[][]): Bag[] => seqs.map((s) => toBag(s, 'log', variant.context));
      const { grads } = batchLossAndGradients(model, bags(QUERIES), bags(CODES), [0, 1, 2, 3, 4], LOSS);
      const probes: [Float32Array, number, number][] = [];
      const rowGrad = (table: Float32Array, id: number, d: number) =>
        grads.rows.get(table)?.get(id)?.[d] ?? 0;
      const scalarGrad = (table: Float32Array | undefined, id: number) =>
        table ? (grads.scalars.get(table)?.get(id) ?? 0) : 0;
      for (const [id, d] of [
        [4, 0],
        [6, 2],
        [11, 4],
        [2, 1],
      ] as const) {
        probes.push([model.code.embeddings, id * D + d, rowGrad(model.code.embeddings, id, d)]);
        if (variant.separate)
          probes.push([model.query.embeddings, id * D + d, rowGrad(model.query.embeddings, id, d)]);
      }
      for (const id of [4, 8, 3, 10]) {
        probes.push([model.code.logWeights, id, scalarGrad(model.code.logWeights, id)]);
        probes.push([model.query.logWeights, id, scalarGrad(model.query.logWeights, id)]);
        if (variant.context) {
          const prev = model.code.prevLogWeights as Float32Array;
          const next = model.query.nextLogWeights as Float32Array;
          probes.push([prev, id, scalarGrad(prev, id)]);
          probes.push([next, id, scalarGrad(next, id)]);
        }
      }
      // act + assess: central differences in float64 arithmetic on float32 storage
      const h = 1e-3;
      for (const [table, at, analytic] of probes) {
        const original = table[at] as number;
        table[at] = original + h;
        const plus = lossOf(model, variant.context);
        table[at] = original - h;
        const minus = lossOf(model, variant.context);
        table[at] = original;
        const numeric = (plus - minus) / (2 * h);
        expect(Math.abs(numeric - analytic)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
      }
      expect(probes.some(([, , g]) => Math.abs(g) > 1e-3)).toBe(true);
    });
  }

  it('leaves pairs that share their code out of each other’s softmax', () => {
    const model = tinyModel({ separate: false, context: false });
    // Queries 0 and 1 both point at code key 7: neither may count the other's code as a negative.
    const shared = lossOf(model, false, [7, 7, 2, 3, 4]);
    const distinct = lossOf(model, false, [0, 1, 2, 3, 4]);
    expect(shared).not.toBeCloseTo(distinct, 6);
  });
});

describe('training on a tiny synthetic dataset', () => {
  /** Synonym pairs the model must learn: a query word and a different code word that always go together. */
  function synonymPairs(context = false): TrainingPair[] {
    const random = mulberry32(11);
    const pairs: TrainingPair[] = [];
    for (let i = 0; i < 120; i++) {
      const topic = i % 4; // query word 4+topic ↔ code word 8+topic
      const noise = () => 4 + Math.floor(random() * 8);
      const query = toBag([2, 4 + topic, noise(), 3], 'log', context);
      const code = toBag([2, 8 + topic, noise(), noise(), 3], 'log', context);
      pairs.push({ query, code, codeKey: i, group: 0 });
    }
    return pairs;
  }

  const settings: TrainSettings = {
    epochs: 12,
    batchSize: 16,
    seed: 1,
    groupedBatches: 0,
    finalRateFraction: 0.5,
    overlapMask: 0,
    tokenDropout: 0,
    scale: 10,
    symmetric: 0.5,
    embeddingRate: 0.03,
    weightRate: 0.03,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  };

  it('lowers the loss and learns to retrieve by meaning', () => {
    // prepare
    const model = tinyModel({ separate: false, context: false, seed: 5 });
    const pairs = synonymPairs();
    const held = {
      queries: pairs.slice(0, 8).map((p) => p.query),
      candidates: pairs.slice(0, 8).map((p) => p.code),
      targets: [0, 1, 2, 3, 4, 5, 6, 7],
    };
    const before = evaluateRetrieval(model, held);
    // act
    const reports = train(model, pairs, settings);
    // assess
    expect(reports.at(-1)?.loss).toBeLessThan((reports[0]?.loss ?? 0) * 0.7);
    const after = evaluateRetrieval(model, held);
    expect(after.mrr10).toBeGreaterThan(before.mrr10);
  });

  it('is deterministic for a seed', () => {
    const a = tinyModel({ separate: true, context: true, seed: 5 });
    const b = tinyModel({ separate: true, context: true, seed: 5 });
    train(a, synonymPairs(true), { ...settings, epochs: 2, tokenDropout: 0.2 });
    train(b, synonymPairs(true), { ...settings, epochs: 2, tokenDropout: 0.2 });
    expect([...a.code.embeddings]).toEqual([...b.code.embeddings]);
    expect([...a.query.logWeights]).toEqual([...b.query.logWeights]);
  });
});

describe('retrieval within a group', () => {
  it('ranks a query only among its own group’s candidates, as a search filtered to one repository', () => {
    const model = tinyModel({ separate: false, context: false, seed: 3 });
    const bag = (ids: number[]) => toBag(Int32Array.from(ids));
    // Candidate 1 is the query's exact copy but in another group; candidate 0 is the query's target.
    const set = {
      queries: [bag([4, 5, 6])],
      candidates: [bag([7, 8]), bag([4, 5, 6])],
      targets: [0],
    };
    const pooled = evaluateRetrieval(model, set);
    const grouped = evaluateRetrieval(model, { ...set, groups: { candidates: [0, 1], queries: [0] } });
    expect(pooled.recall1).toBe(0);
    expect(grouped).toEqual({ mrr10: 1, recall1: 1, recall10: 1 });
    expect(candidatesByQuery({ groups: { candidates: [2, 1, 2], queries: [2, 1] } }, 2, 3)(0)).toEqual([
      0, 2,
    ]);
  });
});
