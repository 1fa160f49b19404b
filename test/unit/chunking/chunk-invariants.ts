/**
 * The properties every chunker output must have, whatever the input: shared by the property tests and the
 * real-file tests. Throws (via expect) with the file's path and the failing line or chunk.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { estimateTokens } from '#engine/chunking/index.ts';
import type { Chunk } from '#engine/types.ts';

export interface ChunkedFile {
  readonly repo: string;
  readonly path: string;
  readonly text: string;
  readonly chunks: readonly Chunk[];
  readonly maxTokens: number;
}

/** The file's lines as the chunker counts them: split at `\n`, a final `\n` ends the last line. */
export function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

/** True when a chunk is a piece of one long line rather than whole lines. */
export function isLinePiece(chunk: Chunk, lines: readonly string[]): boolean {
  return chunk.startLine === chunk.endLine && chunk.content !== lines[chunk.startLine - 1];
}

/** Like `expect(condition).toBe(true)`, but cheap enough for thousands of chunks per property run. */
function check(condition: boolean, message: () => string): void {
  if (!condition) expect.fail(message());
}

export function expectChunkInvariants(file: ChunkedFile): void {
  const lines = linesOf(file.text);
  const ids = new Set<string>();
  let previousStart = 0;

  for (const chunk of file.chunks) {
    const where = () =>
      `${file.path}:${chunk.startLine}-${chunk.endLine} ${JSON.stringify(chunk.content.slice(0, 80))}`;
    // Well-formed, in range, in file order.
    check(
      chunk.repo === file.repo && chunk.path === file.path,
      () => `${where()} has the wrong repo or path`,
    );
    check(
      chunk.startLine >= 1 && chunk.startLine <= chunk.endLine && chunk.endLine <= lines.length,
      () => `${where()} is out of range 1..${lines.length}`,
    );
    check(chunk.startLine >= previousStart, () => `${where()} is out of order`);
    previousStart = chunk.startLine;

    // Exact text: the lines of the range, or a substring of the one line for a piece of a long line.
    const rangeText = lines.slice(chunk.startLine - 1, chunk.endLine).join('\n');
    check(
      chunk.content === rangeText || (chunk.startLine === chunk.endLine && rangeText.includes(chunk.content)),
      () => `${where()} content is not the text of its lines`,
    );
    check(chunk.content.trim() !== '', () => `${where()} is blank`);
    check(
      chunk.contentHash === createHash('sha256').update(chunk.content).digest('hex'),
      () => `${where()} has the wrong content hash`,
    );

    // Under the cap. With this estimator nothing is unavoidable: a long line is cut into pieces.
    const tokens = estimateTokens(chunk.content);
    check(
      tokens <= file.maxTokens,
      () => `${where()} has ${tokens} tokens, over the cap of ${file.maxTokens}`,
    );

    check(/^[0-9a-f]{32}$/.test(chunk.id), () => `${where()} has a malformed id ${chunk.id}`);
    check(!ids.has(chunk.id), () => `${where()} repeats an id`);
    ids.add(chunk.id);
    check(
      chunk.symbols.every((symbol) => symbol.length > 0),
      () => `${where()} has an empty symbol`,
    );
  }

  expectEveryLineCovered(file, lines);
}

function expectEveryLineCovered(file: ChunkedFile, lines: readonly string[]): void {
  const covered = new Uint8Array(lines.length + 1);
  const pieces = new Map<number, string[]>();
  for (const chunk of file.chunks) {
    if (isLinePiece(chunk, lines)) {
      const list = pieces.get(chunk.startLine) ?? [];
      list.push(chunk.content);
      pieces.set(chunk.startLine, list);
    } else {
      covered.fill(1, chunk.startLine, chunk.endLine + 1);
    }
  }
  for (let line = 1; line <= lines.length; line++) {
    const text = lines[line - 1] as string;
    if (covered[line] === 1 || text.trim() === '') continue;
    const linePieces = pieces.get(line);
    check(
      linePieces !== undefined,
      () => `${file.path}:${line} is in no chunk: ${JSON.stringify(text.slice(0, 80))}`,
    );
    expectPiecesCoverLine(`${file.path}:${line}`, text, linePieces ?? []);
  }
}

/** Pieces of one line, in order, must cover every non-whitespace character of it. */
function expectPiecesCoverLine(where: string, line: string, pieces: readonly string[]): void {
  let position = 0;
  for (const piece of pieces) {
    const found = line.indexOf(piece, position);
    check(found >= 0, () => `${where}: piece ${JSON.stringify(piece.slice(0, 40))} not found in order`);
    check(line.slice(position, found).trim() === '', () => `${where}: text between pieces is not covered`);
    position = found + piece.length;
  }
  check(line.slice(position).trim() === '', () => `${where}: end of line is not covered`);
}
