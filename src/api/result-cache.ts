/**
 * A small in-memory cache of query results with a time-to-live and a size bound (least recently used out).
 * Keys are built by the routes from the normalised request, the caller's grant and the index's data version,
 * so a hit can never show a caller another grant's results or an index that has since changed.
 */
import { createHash } from 'node:crypto';

export interface ResultCache {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface ResultCacheOptions {
  /** @default 60_000 */
  readonly ttlMs?: number;
  /** @default 500 */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export function ttlResultCache(options: ResultCacheOptions = {}): ResultCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 500;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expires <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}

export const NO_CACHE: ResultCache = { get: () => undefined, set: () => {} };

/** A short, fixed-size key from any JSON-able parts (the request may be up to 64 KB). */
export function cacheKey(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}
