/**
 * Length-sorted batching. Padding costs compute in proportion to (longest − length) for every text in a batch,
 * so texts of similar token length go together; each batch is padded only to its own longest text.
 */
import type { PackedSequences } from './protocol.ts';

/**
 * Orders text indices longest first (ties by index, so the plan is deterministic) and cuts them into batches
 * of `batchSize` — or, for short texts, more: a batch grows past `batchSize` (up to 8 × it) while its padded
 * size (texts × its longest) stays within `tokenBudget`, since every model run has a fixed cost that a
 * batch of definition names (a few tokens each) would otherwise pay 32 texts at a time. Longest first also
 * means the most expensive batches start first, which evens out the finish times of parallel workers.
 */
export function planBatches(
  lengths: ArrayLike<number>,
  batchSize: number,
  tokenBudget = batchSize * SHORT_TEXT_TOKENS,
): number[][] {
  const order = Array.from({ length: lengths.length }, (_, i) => i);
  order.sort((a, b) => (lengths[b] ?? 0) - (lengths[a] ?? 0) || a - b);
  const batches: number[][] = [];
  const most = batchSize * MAX_BATCH_GROWTH;
  for (let i = 0; i < order.length; ) {
    // Sorted longest first: the batch's first text is its longest, so it pads to count × that length.
    const longest = Math.max(1, lengths[order[i] as number] ?? 0);
    let end = i + batchSize;
    while (end < order.length && end - i < most && (end - i + 1) * longest <= tokenBudget) end++;
    batches.push(order.slice(i, end));
    i = end;
  }
  return batches;
}

/** A text this short (in tokens) or shorter may share a batch with more than `batchSize` others. */
const SHORT_TEXT_TOKENS = 64;
const MAX_BATCH_GROWTH = 8;

/** Token ids of many texts, as returned by one or more tokenize tasks. */
export class TokenizedTexts {
  readonly #parts: PackedSequences[] = [];
  /** For text i: which part holds it and where its ids start. */
  readonly #part: number[] = [];
  readonly #start: number[] = [];
  readonly lengths: number[] = [];

  /** Appends the texts of one tokenize answer, in order. */
  append(part: PackedSequences): void {
    const partIndex = this.#parts.push(part) - 1;
    let offset = 0;
    for (const length of part.lengths) {
      this.#part.push(partIndex);
      this.#start.push(offset);
      this.lengths.push(length);
      offset += length;
    }
  }

  /** Copies the chosen texts' ids into one packed batch (a fresh buffer, so it can be transferred). */
  pack(indices: readonly number[]): PackedSequences {
    const lengths = Int32Array.from(indices, (i) => this.lengths[i] ?? 0);
    const ids = new Int32Array(lengths.reduce((a, b) => a + b, 0));
    let offset = 0;
    for (const i of indices) {
      const part = this.#parts[this.#part[i] ?? 0];
      const start = this.#start[i] ?? 0;
      const length = this.lengths[i] ?? 0;
      if (part) ids.set(part.ids.subarray(start, start + length), offset);
      offset += length;
    }
    return { ids, lengths };
  }
}
