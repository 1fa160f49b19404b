import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateTokens } from '#engine/chunking/index.ts';
import { LineTable } from '#engine/chunking/line-table.ts';
import { forEachTokenSpan } from '#engine/chunking/token-estimate.ts';

/** Text with the characters that matter to the estimate: letters of both cases, digits, spaces, symbols. */
const codeLike = fc.string({
  unit: fc.constantFrom(
    'a',
    'b',
    'Z',
    'Q',
    '0',
    '7',
    '_',
    '$',
    ' ',
    ' ',
    '\t',
    '\n',
    '\r',
    '{',
    '.',
    'é',
    '😀',
    '\u00a0',
    '\ud800',
  ),
  maxLength: 300,
});

function spansOf(text: string): { end: number; weight: number }[] {
  const spans: { end: number; weight: number }[] = [];
  forEachTokenSpan(text, 0, text.length, (end, weight) => spans.push({ end, weight }));
  return spans;
}

describe('estimateTokens', () => {
  it.each([
    ['', 0],
    ['   \t  ', 0],
    ['function', 1],
    ['constructor', 2],
    ['getUserById', 4],
    ['utf8Decode', 3],
    ['HTTPServer', 2],
    ['{ a.b(); }', 8],
    ['é😀', 2],
    [' '.repeat(64), 2],
    ['const getUserById = (id) => users[id];', 16],
  ])('estimates %j as %i', (text, expected) => {
    expect(estimateTokens(text)).toBe(expected);
  });

  it('counts a long run of letters by its length, so no blob is "one token"', () => {
    expect(estimateTokens('a'.repeat(80_000))).toBe(10_000);
  });

  it('adds up over lines', () => {
    fc.assert(
      fc.property(codeLike, codeLike, (a, b) => {
        expect(estimateTokens(`${a}\n${b}`)).toBe(estimateTokens(a) + estimateTokens(b));
      }),
    );
  });

  it('equals the sum of the per-line counts of a line table', () => {
    fc.assert(
      fc.property(codeLike, (text) => {
        const lines = new LineTable(text);
        expect(lines.lineCount === 0 ? 0 : lines.tokens(0, lines.lineCount - 1)).toBe(estimateTokens(text));
      }),
    );
  });
});

describe('forEachTokenSpan', () => {
  it('tiles the text with spans of weight 0 or 1 whose weights add up to the estimate', () => {
    fc.assert(
      fc.property(codeLike, (text) => {
        const spans = spansOf(text);
        let start = 0;
        for (const { end, weight } of spans) {
          expect(end).toBeGreaterThan(start);
          expect(end - start).toBeLessThanOrEqual(32);
          expect([0, 1]).toContain(weight);
          start = end;
        }
        expect(start).toBe(text.length);
        expect(spans.reduce((sum, s) => sum + s.weight, 0)).toBe(estimateTokens(text));
      }),
    );
  });

  it('never splits a surrogate pair', () => {
    const ends = spansOf('a😀b😀😀').map((s) => s.end);
    expect(ends).toEqual([1, 3, 4, 6, 8]);
  });

  it('cuts where the two sides estimate to exactly the whole, which is what makes pieces fit the cap', () => {
    fc.assert(
      fc.property(codeLike, fc.nat(), (text, pick) => {
        const ends = spansOf(text).map((s) => s.end);
        const cut = ends.length === 0 ? 0 : (ends[pick % ends.length] as number);
        expect(estimateTokens(text.slice(0, cut)) + estimateTokens(text.slice(cut))).toBe(
          estimateTokens(text),
        );
      }),
    );
  });
});

describe('LineTable', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['a\n', 1],
    ['a\n\n', 2],
    ['a\r\nb', 2],
    ['\n', 1],
  ])('counts the lines of %j as %i', (text, expected) => {
    expect(new LineTable(text).lineCount).toBe(expected);
  });

  it('slices exact line text, keeping \\r', () => {
    const lines = new LineTable('one\r\ntwo\n\nfour\n');
    expect(lines.slice(0, 1)).toBe('one\r\ntwo');
    expect(lines.slice(3, 3)).toBe('four');
    expect([0, 1, 2, 3].map((row) => lines.isBlank(row))).toEqual([false, false, true, false]);
  });
});
