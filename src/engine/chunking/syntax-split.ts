/**
 * Chunking along a syntax tree, in rows.
 *
 * The file's rows are tiled, never sampled: a node is handed a row range it must cover completely (its own
 * rows plus any leading comment, header or blank rows given to it), and it either fits under the token
 * cap as one segment or hands out its range to its children the same way. So every row ends up in
 * exactly one segment whatever the tree looks like: text between nodes, several nodes on one row, ERROR
 * nodes and all.
 *
 * Within one node's children:
 * - comments, decorators and attributes right above a node (at most one blank row between) form one unit
 *   with it, so doc comments stay with what they document;
 * - units that fit are kept whole, and adjacent small ones (under `minTokens`) merge up to the cap;
 * - a unit over the cap is split along its own children, recursively; a small group just before it
 *   (a class's `export class Foo {` line, a run of imports) rides along into its first piece, and a small
 *   group just after it (a closing `}`) joins its last piece, rather than becoming a chunk of its own.
 */
import type { LineTable } from './line-table.ts';
import { lineWindows, splitLongRow } from './line-windows.ts';
import type { Segment } from './segment.ts';
import type { SyntaxNode } from './tree-sitter-runtime.ts';

export interface SyntaxSplitOptions {
  readonly maxTokens: number;
  readonly minTokens: number;
  /** True for nodes that belong to the node after them (comments, decorators, attributes). */
  readonly isAttachedToNext: (node: SyntaxNode) => boolean;
  /** True for nodes that define a symbol: they are kept out of the leftovers of a split. */
  readonly isDefinition: (node: SyntaxNode) => boolean;
}

/**
 * Recursion deeper than this (left-recursive chains such as a 5,000-term string concatenation) is cut short
 * with line windows, which keeps the stack bounded on any input.
 */
const MAX_DEPTH = 256;

/** Nodes that must stay in one chunk unless they are too big: a definition with its comments, say. */
interface Unit {
  readonly nodes: SyntaxNode[];
  readonly firstRow: number;
  lastRow: number;
  /** Holds the parent's body (a function's block, a class's member list): what comes before is its header. */
  isBody?: boolean;
}

/** A unit with the rows it is responsible for. */
interface OwnedUnit {
  readonly unit: Unit;
  readonly firstRow: number;
  lastRow: number;
}

/** Consecutive whole units merged into one segment. */
interface Group {
  readonly firstRow: number;
  lastRow: number;
  /** Last row of the group's own nodes, before blank rows after them were assigned to it. */
  nodesLastRow: number;
  tokens: number;
  readonly units: Unit[];
  /** Starts with rows handed down from above (a header): takes in whatever fits until a definition. */
  readonly isHeader: boolean;
}

interface Context extends SyntaxSplitOptions {
  readonly lines: LineTable;
}

/**
 * Splits the file under `root` into segments that tile its rows, each at most `maxTokens` (by the line
 * table's estimate). Segments come in file order and do not overlap; they start and end on non-blank rows.
 */
export function splitSyntaxTree(lines: LineTable, root: SyntaxNode, options: SyntaxSplitOptions): Segment[] {
  if (lines.lineCount === 0) return [];
  const out: Segment[] = [];
  // A file is not a definition: even when it would fit in one chunk, its definitions get chunks of their
  // own (merged when small), just as in a bigger file.
  splitChildren({ ...options, lines }, root, 0, lines.lineCount - 1, 0, out);
  return trimBlankRows(lines, out);
}

/** The node's last row, not counting a trailing newline that some grammars include in the node. */
function lastRowOf(node: SyntaxNode): number {
  const end = node.endPosition;
  const startRow = node.startPosition.row;
  return end.column === 0 && end.row > startRow ? end.row - 1 : end.row;
}

function splitNode(
  ctx: Context,
  node: SyntaxNode,
  firstRow: number,
  lastRow: number,
  depth: number,
  out: Segment[],
): void {
  if (ctx.lines.tokens(firstRow, lastRow) <= ctx.maxTokens) {
    out.push({ firstRow, lastRow });
  } else if (firstRow === lastRow) {
    splitLongRow(ctx.lines, firstRow, ctx.maxTokens, out);
  } else {
    splitChildren(ctx, node, firstRow, lastRow, depth, out);
  }
}

/** Splits a node along its children, whether or not it would fit whole. */
function splitChildren(
  ctx: Context,
  node: SyntaxNode,
  firstRow: number,
  lastRow: number,
  depth: number,
  out: Segment[],
): void {
  const children = depth < MAX_DEPTH ? node.children.filter(isNonEmpty) : [];
  if (children.length === 0) {
    // A leaf that spans rows (a long comment or string): nothing to split along but lines.
    lineWindows(
      ctx.lines,
      firstRow,
      lastRow,
      { maxTokens: ctx.maxTokens, maxLines: Infinity, overlapLines: 0 },
      out,
    );
    return;
  }
  const units = groupIntoUnits(ctx, children);
  const body = bodyOf(node);
  if (body) {
    for (const unit of units) if (unit.nodes.some((child) => child.id === body.id)) unit.isBody = true;
  }
  splitSequence(ctx, units, firstRow, lastRow, depth + 1, out);
}

/**
 * The child that holds a node's substance: `body` for functions, classes, methods and blocks in every
 * grammar here, `definition` for a decorated Python definition, `declaration` for a TS `export`.
 */
function bodyOf(node: SyntaxNode): SyntaxNode | null {
  return (
    node.childForFieldName('body') ??
    node.childForFieldName('definition') ??
    node.childForFieldName('declaration')
  );
}

function isNonEmpty(node: SyntaxNode | null): node is SyntaxNode {
  return node !== null && node.endIndex > node.startIndex;
}

/**
 * Groups siblings into units: a run of comments and decorators joins the node below it (at most one blank
 * row away), and a comment that starts on the row where the previous unit ends (`x = 1; // why`) stays with
 * that unit.
 */
function groupIntoUnits(ctx: Context, children: readonly SyntaxNode[]): Unit[] {
  const units: Unit[] = [];
  let pending: Unit | undefined;
  for (const node of children) {
    const firstRow = node.startPosition.row;
    const lastRow = lastRowOf(node);
    const previous = units[units.length - 1];
    if (ctx.isAttachedToNext(node)) {
      if (!pending && previous && firstRow === previous.lastRow) {
        previous.nodes.push(node);
        previous.lastRow = Math.max(previous.lastRow, lastRow);
      } else if (pending && firstRow <= pending.lastRow + 1) {
        pending.nodes.push(node);
        pending.lastRow = lastRow;
      } else {
        if (pending) units.push(pending);
        pending = { nodes: [node], firstRow, lastRow };
      }
    } else if (pending && firstRow <= pending.lastRow + 2) {
      // One blank row between a doc comment and its definition is a common style; more is a section break.
      pending.nodes.push(node);
      pending.lastRow = Math.max(pending.lastRow, lastRow);
      units.push(pending);
      pending = undefined;
    } else {
      if (pending) units.push(pending);
      pending = undefined;
      units.push({ nodes: [node], firstRow, lastRow });
    }
  }
  if (pending) units.push(pending);
  return units;
}

/**
 * Hands out `firstRow..lastRow` to the units: each row goes to the first unit that touches it; rows before
 * the first unit go to it, and gap rows (blank) to the unit before them. A unit whose rows were all taken
 * already (`} else {` after a `}` on the same row) is dropped: its text is in the earlier unit's rows.
 */
function assignRows(units: readonly Unit[], firstRow: number, lastRow: number): OwnedUnit[] {
  const owned: OwnedUnit[] = [];
  let frontier = firstRow - 1;
  for (const unit of units) {
    const unitLast = Math.min(unit.lastRow, lastRow);
    const start = owned.length === 0 ? firstRow : Math.max(unit.firstRow, frontier + 1);
    if (unitLast <= frontier || start > unitLast) continue;
    owned.push({ unit, firstRow: start, lastRow: unitLast });
    frontier = unitLast;
  }
  for (let i = 0; i < owned.length; i++) {
    const next = owned[i + 1];
    (owned[i] as OwnedUnit).lastRow = next ? next.firstRow - 1 : lastRow;
  }
  return owned;
}

function splitSequence(
  ctx: Context,
  units: readonly Unit[],
  firstRow: number,
  lastRow: number,
  depth: number,
  out: Segment[],
): void {
  const owned = assignRows(units, firstRow, lastRow);
  if (owned.length === 0) {
    lineWindows(
      ctx.lines,
      firstRow,
      lastRow,
      { maxTokens: ctx.maxTokens, maxLines: Infinity, overlapLines: 0 },
      out,
    );
    return;
  }
  const { lines, maxTokens, minTokens } = ctx;
  // Whole units being merged into one segment.
  let group: Group | undefined;
  // Index in `out` of the last piece of the unit split most recently, while nothing has followed it.
  let splitTail = -1;

  const flush = (): void => {
    if (!group) return;
    const tail = out[out.length - 1];
    // Leftovers of a split (`}`, `end`, a last statement) join its last piece; a definition stands alone.
    const joinsTail =
      group.tokens < minTokens &&
      splitTail === out.length - 1 &&
      tail !== undefined &&
      tail.columns === undefined &&
      lines.tokens(tail.firstRow, group.lastRow) <= maxTokens &&
      !group.units.some((unit) => unit.nodes.some((node) => definesSomething(ctx, node)));
    if (joinsTail) out[out.length - 1] = { firstRow: tail.firstRow, lastRow: group.lastRow };
    else out.push({ firstRow: group.firstRow, lastRow: group.lastRow });
    group = undefined;
  };

  for (const { unit, firstRow: unitFirst, lastRow: unitLast } of owned) {
    const tokens = lines.tokens(unitFirst, unitLast);
    if (tokens <= maxTokens) {
      if (!group) {
        // Rows before the unit's own were handed down with it: a header (doc comment, signature) that
        // should be followed by as much of what it introduces as fits.
        const isHeader = unitFirst === firstRow && unitFirst < unit.firstRow;
        group = {
          firstRow: unitFirst,
          lastRow: unitLast,
          nodesLastRow: unit.lastRow,
          tokens,
          units: [unit],
          isHeader,
        };
        continue;
      }
      const small = group.tokens < minTokens;
      const fits = group.tokens + tokens <= maxTokens;
      const headerTakesIt = group.isHeader && !unit.nodes.some((node) => definesSomething(ctx, node));
      if (fits && (small || tokens < minTokens || headerTakesIt)) {
        group.lastRow = unitLast;
        group.nodesLastRow = unit.lastRow;
        group.tokens += tokens;
        group.units.push(unit);
        continue;
      }
      // A header (a function's signature above its body, a decorator above its function) that cannot join
      // what it introduces should not stand alone: split the body so the header leads its first piece.
      // A small group right above a unit it cannot join is treated the same way.
      if (!(unit.isBody || (small && unit.firstRow <= group.nodesLastRow + 1))) {
        flush();
        group = {
          firstRow: unitFirst,
          lastRow: unitLast,
          nodesLastRow: unit.lastRow,
          tokens,
          units: [unit],
          isHeader: false,
        };
        continue;
      }
    }
    let from = unitFirst;
    if (group && (group.tokens < minTokens || unit.isBody)) {
      // A header, or too small to stand alone: the group becomes leading rows of the big unit's first piece.
      from = group.firstRow;
      group = undefined;
    } else {
      flush();
    }
    splitUnit(ctx, unit, from, unitLast, depth, out);
    splitTail = out.length - 1;
  }
  flush();
}

/** True for a definition, or a wrapper of one (`export class …`, a decorated function, a Go type block). */
function definesSomething(ctx: Context, node: SyntaxNode): boolean {
  return (
    ctx.isDefinition(node) || node.namedChildren.some((child) => child !== null && ctx.isDefinition(child))
  );
}

function splitUnit(
  ctx: Context,
  unit: Unit,
  firstRow: number,
  lastRow: number,
  depth: number,
  out: Segment[],
): void {
  const [only] = unit.nodes;
  if (unit.nodes.length === 1 && only) {
    splitNode(ctx, only, firstRow, lastRow, depth, out);
  } else {
    // Comments and the node they document, split apart but with the comments as the node's header: they
    // lead its first piece, which also holds the node's name, as a search for what the comment says needs.
    const documented = unit.nodes.find((node) => !ctx.isAttachedToNext(node));
    const separate = unit.nodes.map((node) => ({
      nodes: [node],
      firstRow: node.startPosition.row,
      lastRow: lastRowOf(node),
      isBody: node === documented,
    }));
    splitSequence(ctx, separate, firstRow, lastRow, depth, out);
  }
}

/** Drops blank rows at both ends of each segment, and segments that were blank throughout. */
function trimBlankRows(lines: LineTable, segments: readonly Segment[]): Segment[] {
  const trimmed: Segment[] = [];
  for (const segment of segments) {
    if (segment.columns) {
      trimmed.push(segment);
      continue;
    }
    let { firstRow, lastRow } = segment;
    while (firstRow <= lastRow && lines.isBlank(firstRow)) firstRow++;
    while (lastRow >= firstRow && lines.isBlank(lastRow)) lastRow--;
    if (firstRow <= lastRow) trimmed.push({ firstRow, lastRow });
  }
  return trimmed;
}
