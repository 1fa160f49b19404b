/** Seeded randomness for reproducible model builds (Math.random cannot be seeded). */

/** mulberry32: a small, fast 32-bit generator; plenty for random projections. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by the Box–Muller transform. */
export function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * `size` of `items` chosen by `random`, kept in their order: one draw per item (always, so the generator's
 * state after the call does not depend on `size`), the smallest draws win, ties by position.
 */
export function seededSample<T>(items: readonly T[], size: number, random: () => number): T[] {
  const order = items.map((_, i) => ({ i, r: random() })).sort((a, b) => a.r - b.r || a.i - b.i);
  const chosen = new Set(order.slice(0, size).map((o) => o.i));
  return items.filter((_, i) => chosen.has(i));
}
