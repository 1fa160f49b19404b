/**
 * A downloaded blob becomes a `SourceFile` (or a skip) by the same content rules as local discovery. The
 * file's hash is its git blob id, not a sha256 of the bytes: that is what the tree listing reports, so the
 * next sync can compare without downloading anything.
 */
import { classifyContent } from '../discovery/content-rules.ts';
import type { SkipVerdict } from '../discovery/skip-verdict.ts';
import type { SourceFile } from '../types.ts';

export type BlobVerdict =
  | { readonly kind: 'source'; readonly file: SourceFile }
  | { readonly kind: 'skip'; readonly verdict: SkipVerdict };

export function blobToSource(path: string, sha: string, bytes: Uint8Array): BlobVerdict {
  const content = classifyContent(path, bytes);
  if (content.kind === 'skip') return { kind: 'skip', verdict: content };
  return {
    kind: 'source',
    file: { path, language: content.language, size: bytes.length, hash: sha, text: content.text },
  };
}
