import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBatches, TokenizedTexts } from '#engine/embedding/batching.ts';
import { float16BitsToFloat32 } from '#engine/embedding/float16.ts';
import { l2Normalize, poolOutput } from '#engine/embedding/pooling.ts';
import { toFloat16Bits } from '../../../scripts/model/onnx-graph.ts';

describe('poolOutput', () => {
  // batch 2, seq 3, dim 2; row 1 has only 2 real tokens, its third position is padding (value 100).
  const data = Float32Array.from([1, 2, 3, 4, 5, 6, /* row 1 */ 7, 8, 9, 10, 100, 100]);
  const output = { data, dims: [2, 3, 2] };
  const lengths = Int32Array.from([3, 2]);

  it('mean ignores padding', () => {
    const [a, b] = poolOutput(output, lengths, 'mean', false);
    expect([...(a ?? [])]).toEqual([3, 4]);
    expect([...(b ?? [])]).toEqual([8, 9]);
  });

  it('cls takes the first position', () => {
    expect(poolOutput(output, lengths, 'cls', false).map((v) => [...v])).toEqual([
      [1, 2],
      [7, 8],
    ]);
  });

  it('max ignores padding', () => {
    expect(poolOutput(output, lengths, 'max', false).map((v) => [...v])).toEqual([
      [5, 6],
      [9, 10],
    ]);
  });

  it('takes a 2-D output as is, and normalises when asked', () => {
    const [v] = poolOutput(
      { data: Float32Array.from([3, 4]), dims: [1, 2] },
      Int32Array.from([5]),
      'none',
      true,
    );
    expect([...(v ?? [])].map((x) => Number(x.toFixed(6)))).toEqual([0.6, 0.8]);
  });

  it('gives each vector its own buffer', () => {
    const [a, b] = poolOutput(output, lengths, 'mean', false);
    expect(a?.buffer).not.toBe(b?.buffer);
    expect(a?.byteLength).toBe(a?.buffer.byteLength);
  });

  it('rejects a per-token output when the config says pooling "none"', () => {
    expect(() => poolOutput(output, lengths, 'none', true)).toThrow(/pooling "none"/);
  });

  it('rejects shapes it cannot pool', () => {
    expect(() => poolOutput({ data, dims: [1] }, Int32Array.from([12]), 'mean', false)).toThrow(/shape/);
    expect(() => poolOutput(output, Int32Array.from([1]), 'mean', false)).toThrow(/batch size/);
  });

  it('leaves a zero vector at zero when normalising', () => {
    expect([...l2Normalize(new Float32Array(3))]).toEqual([0, 0, 0]);
  });
});

describe('planBatches', () => {
  it('covers every index once, longest first; a batch outgrows its size only while its padding stays in budget', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(600), { maxLength: 600 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4096 }),
        (lengths, size, budget) => {
          const batches = planBatches(lengths, size, budget);
          const flat = batches.flat();
          expect([...flat].sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThanOrEqual(1);
            const padded = batch.length * Math.max(1, lengths[batch[0] ?? 0] ?? 0);
            expect(batch.length <= size || (batch.length <= 8 * size && padded <= budget)).toBe(true);
          }
          // Only the last batch may be smaller than asked.
          expect(batches.slice(0, -1).every((b) => b.length >= size)).toBe(true);
          for (let i = 1; i < flat.length; i++) {
            expect(lengths[flat[i - 1] ?? 0]).toBeGreaterThanOrEqual(lengths[flat[i] ?? 0] ?? 0);
          }
        },
      ),
    );
  });

  it('puts up to 256 names of a few tokens in one batch, and keeps long texts 32 at a time', () => {
    expect(planBatches(Array(300).fill(5), 32).map((b) => b.length)).toEqual([256, 44]);
    expect(planBatches(Array(70).fill(200), 32).map((b) => b.length)).toEqual([32, 32, 6]);
  });
});

describe('TokenizedTexts', () => {
  it('packs sequences from several tokenize answers into one batch', () => {
    const texts = new TokenizedTexts();
    texts.append({ ids: Int32Array.from([1, 2, 3, 4]), lengths: Int32Array.from([3, 1]) });
    texts.append({ ids: Int32Array.from([5, 6]), lengths: Int32Array.from([0, 2]) });
    expect(texts.lengths).toEqual([3, 1, 0, 2]);
    const packed = texts.pack([3, 0, 2, 1]);
    expect([...packed.ids]).toEqual([5, 6, 1, 2, 3, 4]);
    expect([...packed.lengths]).toEqual([2, 3, 0, 1]);
  });
});

describe('float16', () => {
  it('round-trips values within half precision', () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (x) => {
        const back = float16BitsToFloat32(toFloat16Bits(Float32Array.of(x)))[0] ?? Number.NaN;
        expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -24));
      }),
    );
  });
});
