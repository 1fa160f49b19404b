/**
 * A file seen as lines: where each line starts and ends, whether it is blank, and prefix sums of the token
 * estimate so that the size of any line range is one subtraction. Everything the chunkers decide is in
 * these terms; only the finished chunk reads text again.
 *
 * Lines are separated by `\n` alone, as tree-sitter counts rows; a `\r` before it stays part of the line's
 * text. A final `\n` ends the last line rather than starting an empty one. Rows here are 0-based; chunks
 * report 1-based lines.
 */
import { countTokens, isBlankRange } from './token-estimate.ts';

export class LineTable {
  readonly text: string;
  readonly lineCount: number;
  /** Offset of each line's first character. */
  private readonly starts: Int32Array;
  /** Offset just past each line's last character (its `\n` excluded). */
  private readonly ends: Int32Array;
  /** `tokenPrefix[r]` = estimated tokens of rows 0..r-1. */
  private readonly tokenPrefix: Float64Array;
  private readonly blank: Uint8Array;

  constructor(text: string) {
    this.text = text;
    let count = 0;
    if (text.length > 0) {
      count = 1;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
      if (text.endsWith('\n')) count--;
    }
    this.lineCount = count;
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
    this.tokenPrefix = new Float64Array(count + 1);
    this.blank = new Uint8Array(count);
    let start = 0;
    for (let row = 0; row < count; row++) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline;
      this.starts[row] = start;
      this.ends[row] = end;
      this.tokenPrefix[row + 1] = (this.tokenPrefix[row] as number) + countTokens(text, start, end);
      this.blank[row] = isBlankRange(text, start, end) ? 1 : 0;
      start = end + 1;
    }
  }

  /** Estimated tokens of rows `first..last` (inclusive). */
  tokens(first: number, last: number): number {
    return (this.tokenPrefix[last + 1] as number) - (this.tokenPrefix[first] as number);
  }

  isBlank(row: number): boolean {
    return this.blank[row] === 1;
  }

  lineStart(row: number): number {
    return this.starts[row] as number;
  }

  lineEnd(row: number): number {
    return this.ends[row] as number;
  }

  /** The exact text of rows `first..last`, joined by the file's own `\n`s. */
  slice(first: number, last: number): string {
    return this.text.slice(this.lineStart(first), this.lineEnd(last));
  }
}
