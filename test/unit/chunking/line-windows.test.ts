import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineTable } from '#engine/chunking/line-table.ts';
import { lineWindows, splitLongRow } from '#engine/chunking/line-windows.ts';
import type { Segment } from '#engine/chunking/segment.ts';

function windows(text: string, maxTokens: number, maxLines: number, overlapLines: number): Segment[] {
  const lines = new LineTable(text);
  const out: Segment[] = [];
  if (lines.lineCount > 0)
    lineWindows(lines, 0, lines.lineCount - 1, { maxTokens, maxLines, overlapLines }, out);
  return out;
}

const line = fc.oneof(
  fc.constant(''),
  fc.constant('   '),
  fc.stringMatching(/^[a-z ]{1,30}$/),
  fc.integer({ min: 1, max: 400 }).map((n) => 'word '.repeat(n)),
);
const file = fc.array(line, { maxLength: 80 }).map((lines) => lines.join('\n'));

describe('lineWindows', () => {
  it('overlaps consecutive windows by the overlap', () => {
    const text = Array.from({ length: 25 }, (_, i) => `line ${i}`).join('\n');
    expect(windows(text, 1000, 10, 3).map((w) => [w.firstRow, w.lastRow])).toEqual([
      [0, 9],
      [7, 16],
      [14, 23],
      [21, 24],
    ]);
  });

  it('starts and ends windows on non-blank lines', () => {
    const text = '\n\nfirst\nsecond\n\n\n\nthird\n\n';
    expect(windows(text, 1000, 50, 0)).toEqual([{ firstRow: 2, lastRow: 7 }]);
  });

  it('goes on after a long line without repeating the lines before it', () => {
    const text = ['a', 'b', 'c', 'word '.repeat(100), 'd', 'e'].join('\n');
    const result = windows(text, 20, 50, 2);
    const rows = result.filter((w) => !w.columns).map((w) => [w.firstRow, w.lastRow]);
    expect(rows).toEqual([
      [0, 2],
      [4, 5],
    ]);
    expect(result.filter((w) => w.columns).length).toBeGreaterThan(1);
  });

  it('covers every non-blank line, within the limits, always moving forward', () => {
    fc.assert(
      fc.property(
        file,
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.nat(10),
        (text, maxTokens, maxLines, overlap) => {
          const overlapLines = Math.min(overlap, maxLines - 1);
          const lines = new LineTable(text);
          const result = windows(text, maxTokens, maxLines, overlapLines);
          const covered = new Set<number>();
          let previous: Segment | undefined;
          for (const w of result) {
            for (let row = w.firstRow; row <= w.lastRow; row++) covered.add(row);
            if (w.columns) continue;
            expect(w.lastRow - w.firstRow + 1).toBeLessThanOrEqual(maxLines);
            expect(lines.tokens(w.firstRow, w.lastRow)).toBeLessThanOrEqual(maxTokens);
            if (previous) {
              expect(w.firstRow).toBeGreaterThan(previous.firstRow);
              expect(w.lastRow).toBeGreaterThan(previous.lastRow);
            }
            previous = w;
          }
          for (let row = 0; row < lines.lineCount; row++) {
            if (!lines.isBlank(row)) expect(covered.has(row)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('splitLongRow', () => {
  it('cuts a row into consecutive pieces under the cap and drops whitespace-only pieces', () => {
    const row = `${'token '.repeat(50)}${' '.repeat(400)}end`;
    const lines = new LineTable(row);
    const out: Segment[] = [];
    splitLongRow(lines, 0, 10, out);
    const texts = out.map((s) => row.slice(s.columns?.start, s.columns?.end));
    expect(texts.every((t) => t.trim() !== '')).toBe(true);
    expect(texts.join('').replace(/\s+/g, ' ')).toBe(row.replace(/\s+/g, ' '));
    for (let i = 1; i < out.length; i++)
      expect(out[i]?.columns?.start).toBeGreaterThanOrEqual(out[i - 1]?.columns?.end ?? 0);
  });
});
