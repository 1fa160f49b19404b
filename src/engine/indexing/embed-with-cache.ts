/**
 * Embeds chunks through the content-addressed cache: a chunk whose (model, chunker, embedded text) was seen
 * before — in this repo, another repo, or an earlier run — is never sent to the model again.
 *
 * For a model that re-scores by windows, a chunk's parts (its windows of lines and its definitions' names)
 * are embedded instead and kept with it in the index and the cache (`ChunkParts`), so a search never embeds
 * its candidates; the chunk's own vector, which finds the candidates, is the mean of its windows'. That costs
 * indexing about what embedding the chunk did (the windows hold its lines once, a few context lines twice)
 * and finds the same candidates: on the plain-language benchmark, vector search with the chunk's own
 * vectors and with its windows' mean scored within 0.01 MRR@10 of each other (models/README.md).
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
import { embeddingText, indexedTexts, nameTexts, windowTexts } from './embedding-text.ts';

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

/**
 * The cache key of a chunk with its parts: the windows' cut and the names are part of what was embedded (two
 * identical methods of two classes have the same text and different qualified names).
 */
function partsCacheKey(
  modelId: string,
  chunkerVersion: string,
  chunk: Pick<Chunk, 'path' | 'content' | 'symbols'>,
  rescoring: WindowRescoring,
) {
  const cut = `${rescoring.windowLines}:${rescoring.contextLines}`;
  const names = nameTexts(chunk).join('\u0000');
  return embeddingCacheKey(
    modelId,
    chunkerVersion,
    `parts\u0000${cut}\u0000${names}\u0000${embeddingText(chunk)}`,
  );
}

/** A chunk's parts as one cache entry: [window count, name count, windows…, name?]. */
function packParts(windows: readonly Float32Array[], name?: Float32Array): Float32Array {
  const vectors = [...windows, ...(name ? [name] : [])];
  const out = new Float32Array(2 + vectors.reduce((sum, v) => sum + v.length, 0));
  out[0] = windows.length;
  out[1] = name ? 1 : 0;
  let at = 2;
  for (const v of vectors) {
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
  if (!Number.isInteger(windowCount) || windowCount < 1 || (names !== 0 && names !== 1)) return undefined;
  if (packed.length !== 2 + dimension * (windowCount + names)) return undefined;
  for (const x of packed) if (!Number.isFinite(x)) return undefined;
  const at = (i: number) => packed.subarray(2 + i * dimension, 2 + (i + 1) * dimension);
  const windows = Array.from({ length: windowCount }, (_, i) => at(i));
  return {
    vector: meanDirection(windows),
    parts: { windows, ...(names === 1 ? { name: at(windowCount) } : {}) },
  };
}

/**
 * A text's vector as indexing computes a chunk's: the mean direction of its windows for a model that re-scores
 * by windows, else its own embedding. `similar` embeds a snippet this way, to compare it with chunks.
 */
export async function documentVector(
  embedder: Embedder,
  document: Pick<Chunk, 'path' | 'content'>,
): Promise<Float32Array> {
  const rescoring = embedder.windowRescoring;
  const texts = rescoring ? windowTexts(document, rescoring) : [embeddingText(document)];
  return meanDirection(await embedder.embedDocuments(texts));
}

/** The unit vector along the mean of `vectors`' directions (each counts alike, whatever its length). */
export function meanDirection(vectors: readonly Float32Array[]): Float32Array {
  const first = vectors[0];
  if (!first) throw new Error('no vectors to average');
  const n = first.length;
  // Indexing computes one per chunk: plain indexed loops, no iterators or callbacks (they cost 20× here).
  if (vectors.length === 1 && Math.abs(squaredNorm(first) - 1) < 1e-6) return first;
  const sum = new Float64Array(n);
  for (const v of vectors) {
    const norm = squaredNorm(v);
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < n; i++) sum[i] = (sum[i] as number) + (v[i] as number) * scale;
  }
  let norm = 0;
  for (let i = 0; i < n; i++) norm += (sum[i] as number) * (sum[i] as number);
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (sum[i] as number) * scale;
  return out;
}

function squaredNorm(v: Float32Array): number {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += (v[i] as number) * (v[i] as number);
  return norm;
}

/** A chunk's vector, and its parts for a model that re-scores by windows. */
type Embedded = Pick<EmbeddedChunk, 'vector' | 'parts'>;

/** How one kind of model's chunks go into cache entries and come back out of them. */
interface EntryCodec {
  key(chunk: Chunk): string;
  /** The entry and the chunk's vectors, from what the model gave for `indexedTexts(chunk).texts`. */
  encode(plan: ReturnType<typeof indexedTexts>, vectors: readonly Float32Array[]): [Float32Array, Embedded];
  /** An entry back; undefined for one of another shape (a damaged cache), which is embedded again. */
  decode(entry: Float32Array): Embedded | undefined;
}

/** Models without window re-scoring: an entry is the chunk's vector, keyed by its text. */
function plainCodec(embedder: Embedder, chunkerVersion: string): EntryCodec {
  return {
    key: (chunk) => embeddingCacheKey(embedder.modelId, chunkerVersion, embeddingText(chunk)),
    encode: (_, [vector]) => [vector as Float32Array, { vector: vector as Float32Array }],
    decode: (entry) => (entry.length === embedder.dimension ? { vector: entry } : undefined),
  };
}

/** Models that re-score by windows: an entry holds the chunk's parts; its vector is their mean direction. */
function partsCodec(embedder: Embedder, chunkerVersion: string, rescoring: WindowRescoring): EntryCodec {
  return {
    key: (chunk) => partsCacheKey(embedder.modelId, chunkerVersion, chunk, rescoring),
    encode: (plan, vectors) => {
      const windows = vectors.slice(0, plan.windows);
      const name = plan.named ? vectors.at(-1) : undefined;
      const parts = { windows, ...(name ? { name } : {}) };
      return [packParts(windows, name), { vector: meanDirection(windows), parts }];
    },
    decode: (entry) => unpackParts(entry, embedder.dimension),
  };
}

export async function embedWithCache(
  chunks: readonly Chunk[],
  embedder: Embedder,
  cache: EmbeddingCache,
  chunkerVersion: string,
): Promise<EmbedOutcome> {
  const rescoring = embedder.windowRescoring;
  const codec = rescoring
    ? partsCodec(embedder, chunkerVersion, rescoring)
    : plainCodec(embedder, chunkerVersion);
  const keys = chunks.map((chunk) => codec.key(chunk));
  const found = new Map<string, Embedded>();
  for (const [key, entry] of await cache.getMany([...new Set(keys)])) {
    const decoded = codec.decode(entry);
    if (decoded) found.set(key, decoded);
  }
  const cachedKeys = new Set(found.keys());
  // What each missing chunk needs embedded; identical chunks within the batch (copied files, licence
  // headers) once.
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
      const [entry, embedded] = codec.encode(plan, vectors.slice(next, next + plan.texts.length));
      next += plan.texts.length;
      fresh.push([key, entry]);
      found.set(key, embedded);
    }
    await cache.putMany(fresh);
  }
  let fromCache = 0;
  const embeddedChunks = chunks.map((chunk, i) => {
    const key = keys[i] as string;
    if (cachedKeys.has(key)) fromCache++;
    const hit = found.get(key);
    if (!hit) throw new Error(`no vector for chunk ${chunk.path}:${chunk.startLine}`);
    return { ...chunk, ...hit };
  });
  return { chunks: embeddedChunks, embedded: plans.size, fromCache };
}
