/**
 * What the chunkers produce before text, hashes and symbols are attached: a range of rows, or one piece of
 * a row that is too long to be a chunk on its own.
 */
export interface Segment {
  /** 0-based, inclusive. */
  readonly firstRow: number;
  /** 0-based, inclusive. */
  readonly lastRow: number;
  /** Only for a piece of one over-long row (`firstRow === lastRow`): its [start, end) offsets in the row. */
  readonly columns?: { readonly start: number; readonly end: number };
}
