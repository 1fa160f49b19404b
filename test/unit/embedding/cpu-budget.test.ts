import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCpuMax, planWorkers, usableCpuCount } from '#engine/embedding/cpu-budget.ts';

describe('parseCpuMax', () => {
  it.each([
    ['max 100000', undefined],
    ['200000 100000', 2],
    ['150000 100000\n', 2],
    ['50000 100000', 1],
    ['400000 100000', 4],
    ['garbage', undefined],
    ['', undefined],
  ])('%j → %s', (text, cpus) => {
    expect(parseCpuMax(text)).toBe(cpus);
  });
});

describe('planWorkers', () => {
  it('uses one single-threaded worker per CPU on small machines', () => {
    expect(planWorkers(1)).toEqual({ workers: 1, threadsPerWorker: 1 });
    expect(planWorkers(2)).toEqual({ workers: 2, threadsPerWorker: 1 });
  });

  it('caps workers at 4 and gives the rest of the CPUs to intra-op threads', () => {
    expect(planWorkers(16)).toEqual({ workers: 4, threadsPerWorker: 4 });
    expect(planWorkers(6)).toEqual({ workers: 4, threadsPerWorker: 1 });
  });

  it('honours overrides', () => {
    expect(planWorkers(16, { workers: 2 })).toEqual({ workers: 2, threadsPerWorker: 8 });
    expect(planWorkers(2, { workers: 1, threadsPerWorker: 3 })).toEqual({ workers: 1, threadsPerWorker: 3 });
  });
});

describe('usableCpuCount', () => {
  it('is between 1 and availableParallelism()', () => {
    const cpus = usableCpuCount();
    expect(cpus).toBeGreaterThanOrEqual(1);
    expect(cpus).toBeLessThanOrEqual(availableParallelism());
  });
});
