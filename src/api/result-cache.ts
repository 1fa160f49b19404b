/**
 * Caches of query results. Keys are built by the routes from the normalised request, the caller's grant and
 * the index's data version, so a hit can never show a caller another grant's results or an index that has
 * since changed; the time-to-live only bounds how long an entry takes room.
 *
 * The interface is async so that a cache may live outside the process (DynamoDB on Lambda, where each
 * container has its own memory). A cache must never fail a request: implementations turn their own faults
 * into misses.
 */
import { createHash } from 'node:crypto';
import type { ResultCache } from '#engine/repo-catalog.ts';

export type { ResultCache };

export interface ResultCacheOptions {
  /** @default 60_000 */
  readonly ttlMs?: number;
  /** @default 500 */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** In memory, with a time-to-live and a size bound (least recently used out). */
export function ttlResultCache(options: ResultCacheOptions = {}): ResultCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 500;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expires <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    async set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}

/**
 * `near` (fast, small: this process's memory) in front of `far` (shared: DynamoDB). A hit in `far` fills
 * `near`, so the next lookup of the key in this process costs nothing; `set` writes both. The entry `near`
 * gets starts a fresh time-to-live, so a value may outlive its `far` entry by up to one TTL — harmless, as
 * the key already pins the index version the value was computed from.
 *
 * @example
 * const cache = layeredResultCache(ttlResultCache({ ttlMs }), new DynamoResultCache(documents, table));
 */
export function layeredResultCache(near: ResultCache, far: ResultCache): ResultCache {
  return {
    async get(key) {
      const found = await near.get(key);
      if (found !== undefined) return found;
      const shared = await far.get(key);
      if (shared !== undefined) await near.set(key, shared);
      return shared;
    },
    async set(key, value) {
      await Promise.all([near.set(key, value), far.set(key, value)]);
    },
  };
}

export const NO_CACHE: ResultCache = { get: async () => undefined, set: async () => {} };

/** A short, fixed-size key from any JSON-able parts (the request may be up to 64 KB). */
export function cacheKey(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}
