/**
 * Re-scores vector-side candidates by their best-matching window of lines.
 *
 * A chunk's vector pools everything in it, so a question about one method of a 90-line class matches the
 * class only weakly, and a short chunk that shares a few words can rank above it. Scoring a candidate by its
 * best window instead (max over windows of the cosine with the query, as passage-level retrieval does)
 * keeps the chunk as the unit of results while letting one relevant part carry it.
 *
 * The windows' vectors are computed at index time and stored with the chunk (`ChunkParts`), so a query
 * embeds only itself. Chunks that come without them (a store that does not keep them, such as training's
 * validation index, or options other than the model's own) get them embedded at query time, only for the
 * candidates, and cached by chunk id (ids change with content). The model opts in through `windowRescoring`
 * in its codesearch-model.json: indexing embeds each chunk's windows and names instead of the chunk, about
 * one more embedding of its text, cheap for a bag-of-words model and not for a transformer.
 */
import { nameTexts, windowTexts } from '../indexing/embedding-text.ts';
import type { Embedder, PartVector, ScoredChunk, StoredChunk, WindowRescoring } from '../types.ts';

/**
 * Query-time vectors of parts of chunks (windows, names) by kind and chunk id, per embedder, for chunks
 * stored without their parts; least recently used out.
 */
const CACHE_ENTRIES = 8192;
const caches = new WeakMap<Embedder, Map<string, readonly Float32Array[]>>();

/** The texts of one kind of part of a chunk (its windows, its names), embedded and cached together. */
export type ChunkPartTexts = (chunk: StoredChunk) => string[];

/**
 * For each kind, the vectors of every chunk's parts of that kind, from the cache or embedded — every missing
 * text of every kind in one call, which the embedder batches by length. Chunk ids change with content, so a
 * cached entry never goes stale.
 */
export async function cachedPartVectors<K extends string>(
  embedder: Embedder,
  chunks: readonly StoredChunk[],
  kinds: Readonly<Record<K, ChunkPartTexts>>,
): Promise<Record<K, Map<string, readonly Float32Array[]>>> {
  let cache = caches.get(embedder);
  if (!cache) {
    cache = new Map();
    caches.set(embedder, cache);
  }
  const names = Object.keys(kinds) as K[];
  const found = Object.fromEntries(names.map((kind) => [kind, new Map()])) as Record<
    K,
    Map<string, readonly Float32Array[]>
  >;
  const missing: { kind: K; id: string; key: string; texts: string[] }[] = [];
  for (const kind of names) {
    for (const chunk of chunks) {
      const key = `${kind}\u0000${chunk.id}`;
      const cached = cache.get(key);
      if (cached) {
        cache.delete(key); // re-inserted last: most recently used
        cache.set(key, cached);
        found[kind].set(chunk.id, cached);
      } else {
        missing.push({ kind, id: chunk.id, key, texts: kinds[kind](chunk) });
      }
    }
  }
  if (missing.length > 0) {
    const texts = missing.flatMap((m) => m.texts);
    const vectors = texts.length > 0 ? await embedder.embedDocuments(texts) : [];
    let next = 0;
    for (const { kind, id, key, texts: own } of missing) {
      const vectorsOfPart = vectors.slice(next, next + own.length);
      next += own.length;
      found[kind].set(id, vectorsOfPart);
      cache.set(key, vectorsOfPart);
    }
    while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  }
  return found;
}

/**
 * The window vectors (and with `names`, the name vectors) of `chunks` (distinct): as the index stored them,
 * or for chunks stored without parts, from the query-time cache or embedded in one call.
 */
export async function partVectors(
  embedder: Embedder,
  chunks: readonly StoredChunk[],
  options: WindowRescoring,
  names: boolean,
): Promise<{ window: Map<string, readonly PartVector[]>; name: Map<string, readonly PartVector[]> }> {
  const window = new Map<string, readonly PartVector[]>();
  const name = new Map<string, readonly PartVector[]>();
  const missing: StoredChunk[] = [];
  // Stored parts were cut as the model's own options cut them; other options (a benchmark's) embed afresh.
  const own = embedder.windowRescoring;
  const storedFits =
    own !== undefined && own.windowLines === options.windowLines && own.contextLines === options.contextLines;
  for (const chunk of chunks) {
    if (storedFits && chunk.parts && chunk.parts.windows.length > 0) {
      window.set(chunk.id, chunk.parts.windows);
      name.set(chunk.id, chunk.parts.name ? [chunk.parts.name] : []);
    } else missing.push(chunk);
  }
  if (missing.length > 0) {
    const kinds: Record<string, ChunkPartTexts> = { window: (chunk) => windowTexts(chunk, options) };
    if (names) kinds.name = nameTexts;
    const found = await cachedPartVectors(embedder, missing, kinds);
    for (const [id, vectors] of found.window ?? []) window.set(id, vectors);
    for (const [id, vectors] of found.name ?? []) name.set(id, vectors);
  }
  return { window, name };
}

export function cosine(a: Float32Array, b: PartVector): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}

/** The cosine of a chunk's best window with the query. */
export function bestWindowCosine(query: Float32Array, windows: readonly PartVector[] | undefined): number {
  return Math.max(...(windows ?? []).map((w) => cosine(query, w)));
}

/**
 * Vector search's ranking: its own `depth` best re-scored by their best window, then the rest of `vector`.
 */
export function rescoreVectorSide(
  embedder: Embedder,
  query: Float32Array,
  vector: readonly ScoredChunk[],
  options: WindowRescoring,
): Promise<ScoredChunk[]> {
  const candidates = vector.slice(0, options.depth).map(({ chunk }) => chunk);
  return rescoreByWindows(embedder, query, vector, candidates, options);
}

/** Hybrid search's candidates: each side's `depth` best, the vector side's first, each chunk once. */
export function hybridCandidates(
  vector: readonly ScoredChunk[],
  keyword: readonly ScoredChunk[],
  depth: number,
): StoredChunk[] {
  return [
    ...new Map(
      [...vector.slice(0, depth), ...keyword.slice(0, depth)].map(({ chunk }) => [chunk.id, chunk]),
    ).values(),
  ];
}

/**
 * Hybrid search's vector side: the `depth` best of both sides re-scored, so a chunk BM25 found and the
 * pooled vector missed gets its vector evidence from its best window; then the rest of `vector`.
 */
export function rescoreForHybrid(
  embedder: Embedder,
  query: Float32Array,
  vector: readonly ScoredChunk[],
  keyword: readonly ScoredChunk[],
  options: WindowRescoring,
): Promise<ScoredChunk[]> {
  return rescoreByWindows(embedder, query, vector, hybridCandidates(vector, keyword, options.depth), options);
}

/**
 * `candidates` sorted by their best window's cosine with the query, which becomes their score; then the
 * rest of `vector` in its own order. Ties keep candidate order.
 */
async function rescoreByWindows(
  embedder: Embedder,
  query: Float32Array,
  vector: readonly ScoredChunk[],
  candidates: readonly StoredChunk[],
  options: WindowRescoring,
): Promise<ScoredChunk[]> {
  const unique = [...new Map(candidates.map((chunk) => [chunk.id, chunk])).values()];
  const { window: windows } = await partVectors(embedder, unique, options, false);
  const rescored = unique
    .map((chunk, order) => ({ chunk, order, score: bestWindowCosine(query, windows.get(chunk.id)) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ chunk, score }) => ({ chunk, score }));
  const seen = new Set(unique.map((chunk) => chunk.id));
  return [...rescored, ...vector.filter(({ chunk }) => !seen.has(chunk.id))];
}
