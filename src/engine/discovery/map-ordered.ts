type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Maps `source` through the async `task` with at most `concurrency` tasks in flight, yielding results in
 * the order of `source` (a slow item holds back later ones; it never reorders them).
 *
 * A task that throws makes the generator throw at that item's turn. Tasks still in flight when the
 * consumer stops early run to completion in the background, and their failures are swallowed rather than
 * surfacing as unhandled rejections.
 *
 * @example
 * for await (const size of mapOrdered(paths, 16, async (path) => (await stat(path)).size)) console.log(size);
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  task: (item: T) => Promise<R> | R,
): AsyncGenerator<R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const inFlight: Promise<Settled<R>>[] = [];
  for await (const item of source) {
    inFlight.push(settle(task, item));
    if (inFlight.length >= concurrency) yield unwrap(await (inFlight.shift() as Promise<Settled<R>>));
  }
  while (inFlight.length > 0) yield unwrap(await (inFlight.shift() as Promise<Settled<R>>));
}

function settle<T, R>(task: (item: T) => Promise<R> | R, item: T): Promise<Settled<R>> {
  try {
    return Promise.resolve(task(item)).then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
  } catch (error) {
    return Promise.resolve({ ok: false, error });
  }
}

function unwrap<R>(settled: Settled<R>): R {
  if (settled.ok) return settled.value;
  throw settled.error;
}
