/**
 * Turns segments into `Chunk`s: text, content hash, stable id and the symbols that start in each.
 */
import { createHash } from 'node:crypto';
import type { Language } from '../languages.ts';
import type { Chunk } from '../types.ts';
import type { LineTable } from './line-table.ts';
import type { Segment } from './segment.ts';
import { type Definition, namesInRange } from './symbols.ts';

export interface FileIdentity {
  readonly repo: string;
  readonly path: string;
  readonly language: Language;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Chunk id: the same repo, path, line range, column (for pieces of one long line) and content always give
 * the same id. NUL separates the parts because it cannot occur in paths.
 */
function chunkId(
  file: FileIdentity,
  startLine: number,
  endLine: number,
  column: number,
  contentHash: string,
): string {
  return sha256Hex(
    `${file.repo}\u0000${file.path}\u0000${startLine}\u0000${endLine}\u0000${column}\u0000${contentHash}`,
  ).slice(0, 32);
}

/** Builds the chunks of one file; `definitions` (sorted by offset) supplies symbols, if the file was parsed. */
export function toChunks(
  file: FileIdentity,
  lines: LineTable,
  segments: readonly Segment[],
  definitions: readonly Definition[],
): Chunk[] {
  const chunks: Chunk[] = [];
  const ids = new Set<string>();
  for (const segment of segments) {
    const rowStart = lines.lineStart(segment.firstRow);
    const from = segment.columns ? rowStart + segment.columns.start : rowStart;
    const to = segment.columns ? rowStart + segment.columns.end : lines.lineEnd(segment.lastRow);
    const content = lines.text.slice(from, to);
    const contentHash = sha256Hex(content);
    const startLine = segment.firstRow + 1;
    const endLine = segment.lastRow + 1;
    const id = chunkId(file, startLine, endLine, segment.columns?.start ?? 0, contentHash);
    // Segments never repeat a range; this only guards the uniqueness the index relies on.
    if (ids.has(id)) continue;
    ids.add(id);
    chunks.push({
      id,
      repo: file.repo,
      path: file.path,
      language: file.language,
      startLine,
      endLine,
      symbols: namesInRange(definitions, from, to),
      content,
      contentHash,
    });
  }
  return chunks;
}
