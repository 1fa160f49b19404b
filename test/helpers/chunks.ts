import { sha256Hex } from '#engine/hashing.ts';
import type { Language } from '#engine/languages.ts';
import type { EmbeddedChunk } from '#engine/types.ts';

/** A chunk with a hand-made vector, for store tests that need no model. */
export function makeChunk(
  repo: string,
  path: string,
  startLine: number,
  content: string,
  vector: number[],
  extra: { language?: Language; symbols?: string[] } = {},
): EmbeddedChunk {
  const contentHash = sha256Hex(content);
  const endLine = startLine + content.split('\n').length - 1;
  return {
    id: sha256Hex(`${repo}\u0000${path}\u0000${startLine}\u0000${endLine}\u0000${contentHash}`).slice(0, 32),
    repo,
    path,
    language: extra.language ?? 'typescript',
    startLine,
    endLine,
    symbols: extra.symbols ?? [],
    content,
    contentHash,
    vector: Float32Array.from(vector),
  };
}
