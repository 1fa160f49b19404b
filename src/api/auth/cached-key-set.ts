/**
 * Reads the key set through a memoised promise that expires, the way middy's secrets-manager middleware
 * caches: one fetch per container per `ttlMs`, shared by concurrent requests; a failed fetch is not cached.
 * A token signed with a key id we do not know forces one early refresh (a rotation may have just happened),
 * at most once per `minRefreshMs`, so unknown ids cannot be used to hammer the secret store.
 */
import type { SecretSource } from '#engine/secrets.ts';
import { type KeySet, parseKeySet } from './key-set.ts';

export interface KeySetProvider {
  current(): Promise<KeySet>;
  /** Re-reads now unless that happened less than `minRefreshMs` ago; answers the (possibly new) set. */
  refresh(): Promise<KeySet>;
}

export interface CachedKeySetOptions {
  /** @default 300_000 (five minutes) */
  readonly ttlMs?: number;
  /** @default 30_000 */
  readonly minRefreshMs?: number;
  readonly now?: () => number;
}

export function cachedKeySet(source: SecretSource, options: CachedKeySetOptions = {}): KeySetProvider {
  const ttlMs = options.ttlMs ?? 300_000;
  const minRefreshMs = options.minRefreshMs ?? 30_000;
  const now = options.now ?? Date.now;
  let cached: { promise: Promise<KeySet>; fetchedAt: number } | undefined;

  const fetch = (): Promise<KeySet> => {
    const fetchedAt = now();
    const promise = source.read().then((text) => parseKeySet(text, source.description));
    const entry = { promise, fetchedAt };
    cached = entry;
    promise.catch(() => {
      if (cached === entry) cached = undefined; // retry on the next request instead of caching the failure
    });
    return promise;
  };

  return {
    current: () => (cached && now() - cached.fetchedAt < ttlMs ? cached.promise : fetch()),
    refresh: () => (cached && now() - cached.fetchedAt < minRefreshMs ? cached.promise : fetch()),
  };
}
