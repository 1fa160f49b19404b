/**
 * Chunking without syntax: windows of whole lines under a line and token limit, with optional overlap,
 * and pieces of single lines that are over the token limit by themselves (minified code, data blobs).
 * Used for languages without a grammar, for files the parser gave up on, and for syntax nodes that cannot
 * be split further (a 300-line comment or template string).
 */
import type { LineTable } from './line-table.ts';
import type { Segment } from './segment.ts';
import { forEachTokenSpan, isBlankRange } from './token-estimate.ts';

export interface WindowLimits {
  readonly maxTokens: number;
  /** Most lines in one window. */
  readonly maxLines: number;
  /** Lines a window repeats from the end of the previous one, so a match across a cut is still found. */
  readonly overlapLines: number;
}

/**
 * Covers every non-blank row of `firstRow..lastRow` with windows (appended to `out`). Windows start and end
 * on non-blank rows, never exceed the limits, and always end past the previous window's end, so there
 * are no duplicates even where a long row stops a window short of its line limit.
 */
export function lineWindows(
  lines: LineTable,
  firstRow: number,
  lastRow: number,
  limits: WindowLimits,
  out: Segment[],
): void {
  let start = firstRow;
  let previousLast = firstRow - 1;
  while (start <= lastRow) {
    while (start <= lastRow && lines.isBlank(start)) start++;
    if (start > lastRow) return;
    if (lines.tokens(start, start) > limits.maxTokens) {
      splitLongRow(lines, start, limits.maxTokens, out);
      previousLast = start;
      start++;
      continue;
    }
    let end = start;
    while (
      end < lastRow &&
      end + 1 - start < limits.maxLines &&
      lines.tokens(start, end + 1) <= limits.maxTokens
    ) {
      end++;
    }
    let lastNonBlank = end;
    while (lines.isBlank(lastNonBlank)) lastNonBlank--;
    // A window that only reached blank rows past the previous one would repeat a subset of it.
    if (lastNonBlank > previousLast) out.push({ firstRow: start, lastRow: lastNonBlank });
    previousLast = Math.max(previousLast, lastNonBlank);
    if (end >= lastRow) return;
    start = nextWindowStart(lines, start, end, limits);
  }
}

/**
 * Where the window after `start..end` begins: `overlap` rows back, unless a window starting there could not
 * reach past `end` (the next row is too big to join), in which case overlapping would only repeat rows.
 */
function nextWindowStart(lines: LineTable, start: number, end: number, limits: WindowLimits): number {
  // Never overlap more than half a window: windows cut short by the token cap would otherwise crawl.
  const overlap = Math.min(limits.overlapLines, Math.floor((end - start + 1) / 2));
  const candidate = Math.max(end + 1 - overlap, start + 1);
  const reachesPastEnd =
    candidate <= end &&
    end + 1 - candidate < limits.maxLines &&
    lines.tokens(candidate, end + 1) <= limits.maxTokens;
  return reachesPastEnd ? candidate : end + 1;
}

/**
 * Cuts one row into consecutive pieces of at most `maxTokens` each (appended to `out`). Cuts fall only
 * between token spans, so each piece's own estimate stays under the cap; whitespace-only pieces are dropped.
 */
export function splitLongRow(lines: LineTable, row: number, maxTokens: number, out: Segment[]): void {
  const text = lines.text;
  const rowStart = lines.lineStart(row);
  const rowEnd = lines.lineEnd(row);
  const emit = (from: number, to: number): void => {
    if (to > from && !isBlankRange(text, from, to)) {
      out.push({ firstRow: row, lastRow: row, columns: { start: from - rowStart, end: to - rowStart } });
    }
  };
  let pieceStart = rowStart;
  let spanStart = rowStart;
  let weight = 0;
  forEachTokenSpan(text, rowStart, rowEnd, (spanEnd, spanWeight) => {
    if (weight + spanWeight > maxTokens) {
      emit(pieceStart, spanStart);
      pieceStart = spanStart;
      weight = 0;
    }
    weight += spanWeight;
    spanStart = spanEnd;
  });
  emit(pieceStart, rowEnd);
}
