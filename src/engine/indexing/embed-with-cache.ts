/**
 * Embeds chunks through the content-addressed cache: a chunk whose (model, chunker, embedded text) was seen
 * before — in this repo, another repo, or an earlier run — is never sent to the model again.
 *
 * For a model that re-scores by windows, a chunk's parts (its windows of lines and its definitions' names)
 * are embedded with it and kept with it in the index and the cache (`ChunkParts`), so a search never embeds
 * its candidates. A chunk of a single window is that window: its own vector serves, unembedded again.
 */
import { sha256Hex } from '../hashing.ts';
import type {
  Chunk,
  ChunkParts,
  EmbeddedChunk,
  Embedder,
  EmbeddingCache,
  WindowRescoring,
} from '../types.ts';
import { embeddingText, indexedTexts } from './embedding-text.ts';

export { embeddingText } from './embedding-text.ts';

export interface EmbedOutcome {
  readonly chunks: EmbeddedChunk[];
  /** Chunks whose vectors came from the model in this call. */
  readonly embedded: number;
  readonly fromCache: number;
}

export function embeddingCacheKey(modelId: string, chunkerVersion: string, text: string): string {
  return sha256Hex(`${modelId}\u0000${chunkerVersion}\u0000${sha256Hex(text)}`);
}

/** The cache key of a chunk with its parts: the windows' cut is part of what was embedded. */
function partsCacheKey(modelId: string, chunkerVersion: string, text: string, rescoring: WindowRescoring) {
  return embeddingCacheKey(
    modelId,
    chunkerVersion,
    `parts\u0000${rescoring.windowLines}:${rescoring.contextLines}\u0000${text}`,
  );
}

/**
 * A chunk with its parts, as one cache entry: [window count, name count, chunk vector, windows…, name?].
 * A window count of 0 means the chunk is its only window.
 */
function packParts(
  vector: Float32Array,
  windows: readonly Float32Array[],
  name?: Float32Array,
): Float32Array {
  const out = new Float32Array(2 + vector.length * (1 + windows.length + (name ? 1 : 0)));
  out[0] = windows.length;
  out[1] = name ? 1 : 0;
  let at = 2;
  for (const v of [vector, ...windows, ...(name ? [name] : [])]) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}

/** A cache entry back as the chunk's vector and parts; undefined when it is not one `packParts` wrote. */
function unpackParts(
  packed: Float32Array,
  dimension: number,
): { vector: Float32Array; parts: ChunkParts } | undefined {
  const windowCount = packed[0] as number;
  const names = packed[1] as number;
  if (!Number.isInteger(windowCount) || (names !== 0 && names !== 1)) return undefined;
  if (packed.length !== 2 + dimension * (1 + windowCount + names)) return undefined;
  const at = (i: number) => packed.subarray(2 + i * dimension, 2 + (i + 1) * dimension);
  const vector = at(0);
  const windows = windowCount === 0 ? [vector] : Array.from({ length: windowCount }, (_, i) => at(1 + i));
  return { vector, parts: { windows, ...(names === 1 ? { name: at(1 + windowCount) } : {}) } };
}

export async function embedWithCache(
  chunks: readonly Chunk[],
  embedder: Embedder,
  cache: EmbeddingCache,
  chunkerVersion: string,
): Promise<EmbedOutcome> {
  const rescoring = embedder.windowRescoring;
  if (rescoring) return embedWithParts(chunks, embedder, cache, chunkerVersion, rescoring);
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

/** {@link embedWithCache} for a model that re-scores by windows: every chunk with its parts. */
async function embedWithParts(
  chunks: readonly Chunk[],
  embedder: Embedder,
  cache: EmbeddingCache,
  chunkerVersion: string,
  rescoring: WindowRescoring,
): Promise<EmbedOutcome> {
  const texts = chunks.map(embeddingText);
  const keys = texts.map((text) => partsCacheKey(embedder.modelId, chunkerVersion, text, rescoring));
  const found = new Map<string, { vector: Float32Array; parts: ChunkParts }>();
  for (const [key, packed] of await cache.getMany([...new Set(keys)])) {
    // An entry of another shape (a damaged cache) is embedded again rather than trusted.
    const unpacked = unpackParts(packed, embedder.dimension);
    if (unpacked) found.set(key, unpacked);
  }
  const cachedKeys = new Set(found.keys());
  // What each missing chunk needs embedded (identical chunks within the batch once): its text, its windows
  // unless it is its only window, its names.
  const plans = new Map<string, ReturnType<typeof indexedTexts>>();
  chunks.forEach((chunk, i) => {
    const key = keys[i] as string;
    if (!found.has(key) && !plans.has(key)) plans.set(key, indexedTexts(chunk, rescoring));
  });
  if (plans.size > 0) {
    // One call for every text of the batch: the embedder batches them by length.
    const vectors = await embedder.embedDocuments([...plans.values()].flatMap((plan) => plan.texts));
    const fresh: [string, Float32Array][] = [];
    let next = 0;
    for (const [key, plan] of plans) {
      const own = vectors.slice(next, next + plan.texts.length);
      next += plan.texts.length;
      const [vector, ...rest] = own as [Float32Array, ...Float32Array[]];
      const packed = packParts(vector, rest.slice(0, plan.windows), plan.named ? rest.at(-1) : undefined);
      fresh.push([key, packed]);
      found.set(key, unpackParts(packed, embedder.dimension) as { vector: Float32Array; parts: ChunkParts });
    }
    await cache.putMany(fresh);
  }
  let fromCache = 0;
  const embeddedChunks = chunks.map((chunk, i) => {
    const key = keys[i] as string;
    if (cachedKeys.has(key)) fromCache++;
    const hit = found.get(key);
    if (!hit) throw new Error(`no vector for chunk ${chunk.path}:${chunk.startLine}`);
    return { ...chunk, vector: hit.vector, parts: hit.parts };
  });
  return { chunks: embeddedChunks, embedded: plans.size, fromCache };
}
