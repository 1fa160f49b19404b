/**
 * Embeds chunks through the content-addressed cache: a chunk whose (model, chunker, embedded text) was seen
 * before — in this repo, another repo, or an earlier run — is never sent to the model again.
 */
import { sha256Hex } from '../hashing.ts';
import type { Chunk, EmbeddedChunk, Embedder, EmbeddingCache } from '../types.ts';

export interface EmbedOutcome {
  readonly chunks: EmbeddedChunk[];
  /** Chunks whose vectors came from the model in this call. */
  readonly embedded: number;
  readonly fromCache: number;
}

/** The text the model sees for a chunk: its path gives the model the module's vocabulary. */
export function embeddingText(chunk: Pick<Chunk, 'path' | 'content'>): string {
  return `${chunk.path}\n${chunk.content}`;
}

export function embeddingCacheKey(modelId: string, chunkerVersion: string, text: string): string {
  return sha256Hex(`${modelId}\u0000${chunkerVersion}\u0000${sha256Hex(text)}`);
}

export async function embedWithCache(
  chunks: readonly Chunk[],
  embedder: Embedder,
  cache: EmbeddingCache,
  chunkerVersion: string,
): Promise<EmbedOutcome> {
  const texts = chunks.map(embeddingText);
  const keys = texts.map((text) => embeddingCacheKey(embedder.modelId, chunkerVersion, text));
  const cached = await cache.getMany([...new Set(keys)]);
  // Identical chunks within the batch (copied files, license headers) are embedded once.
  const missing = new Map<string, string>();
  keys.forEach((key, i) => {
    if (!cached.has(key) && !missing.has(key)) missing.set(key, texts[i] as string);
  });
  const fresh = new Map<string, Float32Array>();
  if (missing.size > 0) {
    const vectors = await embedder.embedDocuments([...missing.values()]);
    [...missing.keys()].forEach((key, i) => {
      fresh.set(key, vectors[i] as Float32Array);
    });
    await cache.putMany([...fresh.entries()]);
  }
  let fromCache = 0;
  const embeddedChunks = chunks.map((chunk, i) => {
    const key = keys[i] as string;
    const hit = cached.get(key);
    if (hit) fromCache++;
    const vector = hit ?? fresh.get(key);
    if (!vector) throw new Error(`no vector for chunk ${chunk.path}:${chunk.startLine}`);
    return { ...chunk, vector };
  });
  return { chunks: embeddedChunks, embedded: fresh.size, fromCache };
}
