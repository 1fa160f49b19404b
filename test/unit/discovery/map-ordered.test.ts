import { describe, expect, it } from 'vitest';
import { mapOrdered } from '../../../src/engine/discovery/map-ordered.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('mapOrdered', () => {
  it('yields in source order however long each task takes, never above the concurrency', async () => {
    // Given tasks with random durations that record how many run at once
    let running = 0;
    let peak = 0;
    const task = async (n: number) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(Math.random() * 10);
      running--;
      return n * 2;
    };

    // When
    const results = await collect(
      mapOrdered(
        Array.from({ length: 60 }, (_, i) => i),
        5,
        task,
      ),
    );

    // Then
    expect(results).toEqual(Array.from({ length: 60 }, (_, i) => i * 2));
    expect(peak).toBe(5);
  });

  it('runs tasks concurrently', async () => {
    const started = performance.now();
    await collect(mapOrdered([1, 2, 3, 4, 5, 6, 7, 8], 8, () => sleep(50)));
    expect(performance.now() - started).toBeLessThan(300);
  });

  it('throws at the failing item, after the items before it', async () => {
    const seen: number[] = [];
    const run = async () => {
      for await (const n of mapOrdered([1, 2, 3, 4], 4, async (n) => {
        if (n === 3) throw new Error('boom');
        await sleep(5);
        return n;
      })) {
        seen.push(n);
      }
    };
    await expect(run()).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
  });

  it('lets the consumer stop early while tasks that will fail are still in flight', async () => {
    const results: number[] = [];
    for await (const n of mapOrdered([1, 2, 3], 3, async (n) => {
      if (n > 1) {
        await sleep(10);
        throw new Error('late failure nobody waits for');
      }
      return n;
    })) {
      results.push(n);
      break;
    }
    await sleep(30); // an unhandled rejection would fail the run here
    expect(results).toEqual([1]);
  });

  it('refuses a concurrency below one', async () => {
    await expect(collect(mapOrdered([1], 0, (n) => n))).rejects.toThrow(RangeError);
  });
});
