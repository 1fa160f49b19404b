import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BagModel } from '../../../scripts/model/bag-encoder.ts';
import { loadCheckpoint, saveCheckpoint } from '../../../scripts/model/checkpoint.ts';
import { frameAsQuestion } from '../../../scripts/model/question-framing.ts';
import { mulberry32 } from '../../../scripts/model/random.ts';

describe('question framing', () => {
  it('asks a share of the descriptions as questions, reproducibly', () => {
    const descriptions = Array.from({ length: 400 }, (_, i) => `Returns the ${i} largest elements.`);
    const framed = (seed: number) => {
      const draw = mulberry32(seed);
      return descriptions.map((d) => frameAsQuestion(d, 0.3, draw));
    };
    const once = framed(7);
    expect(framed(7)).toEqual(once);
    const asked = once.filter((q, i) => q !== descriptions[i]);
    expect(asked.length).toBeGreaterThan(60);
    expect(asked.length).toBeLessThan(180);
    for (const q of asked) {
      expect(q).toMatch(/returns the \d+ largest elements/);
      expect(q).not.toMatch(/Returns|elements\.$/);
    }
    expect(frameAsQuestion('Returns x.', 0, () => 0)).toBe('Returns x.');
    // Acronyms keep their case.
    expect(frameAsQuestion('URL of the request', 1, () => 0)).toBe(
      'where is the code that URL of the request',
    );
  });
});

describe('training checkpoints', () => {
  const model = (fill: number): BagModel => {
    const embeddings = new Float32Array(6).fill(fill);
    const side = () => ({
      embeddings,
      logWeights: new Float32Array(3).fill(fill),
      prevLogWeights: new Float32Array(3),
    });
    return { vocabSize: 3, dimension: 2, query: side(), code: side() };
  };

  it('restores what was saved for the same digest, and nothing for another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codesearch-ckpt-'));
    try {
      const file = join(dir, 'model.ckpt');
      const reports = [{ epoch: 1, loss: 0.5, seconds: 2 }];
      saveCheckpoint(file, 'abc', model(0.25), reports);
      const into = model(0);
      expect(loadCheckpoint(file, 'abc', into)).toEqual(reports);
      expect([...into.code.embeddings]).toEqual(new Array(6).fill(0.25));
      expect([...into.query.logWeights]).toEqual([0.25, 0.25, 0.25]);
      expect(loadCheckpoint(file, 'other', model(0))).toBeUndefined();
      expect(loadCheckpoint(join(dir, 'absent'), 'abc', model(0))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
