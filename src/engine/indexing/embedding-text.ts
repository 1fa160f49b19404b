/**
 * The texts the model embeds for a chunk: the chunk itself and, for a model that re-scores by windows
 * (`WindowRescoring`), its parts — each window of lines and its definitions' names. Indexing embeds them
 * (embed-with-cache.ts) and search falls back to embedding them for chunks that come without parts, so both
 * must cut them the same way: here.
 */
import type { Chunk, StoredChunk, WindowRescoring } from '../types.ts';

/** The text the model sees for a chunk: its path gives the model the module's vocabulary. */
export function embeddingText(chunk: Pick<Chunk, 'path' | 'content'>): string {
  return `${chunk.path}\n${chunk.content}`;
}

/** The lines of the window that starts at content line `start` (0-based), with its context lines before. */
function windowBody(lines: readonly string[], start: number, options: WindowRescoring): string {
  return lines.slice(Math.max(0, start - options.contextLines), start + options.windowLines).join('\n');
}

/**
 * The texts a chunk's windows are embedded as: like the chunk itself (path, newline, content), each with
 * `contextLines` lines before its `windowLines`. Windows of only blank lines are left out, except a chunk's
 * first, so every chunk has at least one. A chunk of one window has its own text as that window's.
 */
export function windowTexts(
  chunk: Pick<StoredChunk, 'path' | 'content'>,
  options: WindowRescoring,
): string[] {
  const lines = chunk.content.split('\n');
  const texts: string[] = [];
  for (let start = 0; start < lines.length; start += options.windowLines) {
    const body = windowBody(lines, start, options);
    if (start > 0 && body.trim() === '') continue;
    texts.push(embeddingText({ path: chunk.path, content: body }));
  }
  return texts;
}

/**
 * The window of `chunk` that holds file line `line`, cut as {@link windowTexts} cuts it: what model training
 * pairs a documented definition with, so that it learns the texts search compares queries with.
 */
export function windowHolding(
  chunk: Pick<StoredChunk, 'path' | 'content' | 'startLine'>,
  line: number,
  options: WindowRescoring,
): { readonly index: number; readonly text: string } {
  const index = Math.max(0, Math.floor((line - chunk.startLine) / options.windowLines));
  const body = windowBody(chunk.content.split('\n'), index * options.windowLines, options);
  return { index, text: embeddingText({ path: chunk.path, content: body }) };
}

/** The text a chunk's names are embedded as: its definitions' names, nothing when it defines none. */
export function nameTexts(chunk: Pick<StoredChunk, 'symbols'>): string[] {
  return chunk.symbols.length > 0 ? [chunk.symbols.join(' ')] : [];
}

/**
 * Everything indexing embeds for a chunk: its own text or, for a model that re-scores by windows, its
 * windows (the first `windows` texts; a chunk of one window is its own text) and then its names.
 */
export function indexedTexts(
  chunk: Pick<StoredChunk, 'path' | 'content' | 'symbols'>,
  rescoring: WindowRescoring | undefined,
): { readonly texts: string[]; readonly windows: number; readonly named: boolean } {
  if (!rescoring) return { texts: [embeddingText(chunk)], windows: 0, named: false };
  const windows = windowTexts(chunk, rescoring);
  const names = nameTexts(chunk);
  return { texts: [...windows, ...names], windows: windows.length, named: names.length > 0 };
}
