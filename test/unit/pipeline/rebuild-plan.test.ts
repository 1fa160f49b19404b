import { describe, expect, it } from 'vitest';
import { indexStatus } from '#engine/pipeline/index-status.ts';
import type { IndexState } from '#engine/pipeline/ports.ts';
import { NULL_SHA } from '#engine/pipeline/push-decision.ts';
import { planRebuilds } from '#engine/pipeline/rebuild-plan.ts';

const state = (index: string, fields: Partial<IndexState> = {}): IndexState => ({
  index,
  writers: [],
  errors: [],
  ...fields,
});

describe('planRebuilds (the engine decides what a new index generation still has to build)', () => {
  it('rebuilds what other generations published and what is registered, minus what is done or running', () => {
    const plan = planRebuilds({
      current: [state('acme/done', { commit: 'c1' }), state('acme/running', { target: { seq: 5 } })],
      others: [
        state('Acme/API', { repo: 'Acme/API', branch: 'main', commit: 'c2' }),
        state('acme/api@release', { repo: 'acme/api', branch: 'release', commit: 'c3' }),
        state('acme/done', { repo: 'acme/done', branch: 'main', commit: 'c4' }),
        state('acme/running', { repo: 'acme/running', branch: 'main', commit: 'c5' }),
        state('acme/gone@dev', { repo: 'acme/gone', branch: 'dev', commit: NULL_SHA }),
        state('acme/never', { repo: 'acme/never', branch: 'main' }),
      ],
      registered: [{ repo: 'acme/new' }, { repo: 'acme/api' }],
      seq: 9,
    });
    expect(plan.running).toEqual(['acme/running']);
    expect(plan.wanted.map((job) => [job.index, job.branch ?? null])).toEqual([
      ['acme/api', 'main'],
      ['acme/api@release', 'release'],
      ['acme/new', null],
    ]);
    expect(plan.wanted.every((job) => job.kind === 'sync' && job.seq === 9)).toBe(true);
  });
});

describe('indexStatus', () => {
  it('is failed after a newer failure, indexing under a newer job, else ready', () => {
    expect(indexStatus(state('a', { seq: 1, indexedAt: '2026-12-01T00:00:00.000Z' }))).toBe('ready');
    expect(indexStatus(state('a', { seq: 1, target: { seq: 2 } }))).toBe('indexing');
    expect(
      indexStatus(
        state('a', { indexedAt: '2026-12-01T00:00:00.000Z', errors: ['2026-12-02T00:00:00.000Z boom'] }),
      ),
    ).toBe('failed');
    expect(
      indexStatus(
        state('a', { indexedAt: '2026-12-03T00:00:00.000Z', errors: ['2026-12-02T00:00:00.000Z boom'] }),
      ),
    ).toBe('ready');
  });
});
