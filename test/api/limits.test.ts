import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, MAX_RESULT_DEPTH, requestFingerprint } from '#api/cursor.ts';
import { tokenBucketLimiter } from '#api/rate-limiter.ts';
import { cacheKey, layeredResultCache, ttlResultCache } from '#api/result-cache.ts';
import { createRouter } from '#api/router.ts';
import { apiRoutes } from '#api/search-api.ts';

describe('token bucket rate limiter', () => {
  it('allows a burst, then answers with the seconds until the next request fits', () => {
    let now = 0;
    const limiter = tokenBucketLimiter({ burst: 3, perSecond: 0.5, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(limiter.take('b').allowed).toBe(true); // callers do not share buckets
    now = 2000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('forgets the least recently used callers beyond maxKeys', () => {
    const limiter = tokenBucketLimiter({ burst: 1, perSecond: 0.001, maxKeys: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // evicts a
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(false);
  });
});

describe('result cache', () => {
  it('expires entries and evicts the least recently used', async () => {
    let now = 0;
    const cache = ttlResultCache({ ttlMs: 100, maxEntries: 2, now: () => now });
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(await cache.get('a')).toBe(1); // a is now the most recent
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    now = 100;
    expect(await cache.get('a')).toBeUndefined();
  });

  it('layered: a hit behind fills the front, a write goes to both', async () => {
    const front = ttlResultCache();
    const back = ttlResultCache();
    const cache = layeredResultCache(front, back);
    await back.set('shared', 'from elsewhere');
    expect(await cache.get('shared')).toBe('from elsewhere');
    expect(await front.get('shared')).toBe('from elsewhere');
    await cache.set('new', 1);
    expect([await front.get('new'), await back.get('new')]).toEqual([1, 1]);
    expect(await cache.get('absent')).toBeUndefined();
  });

  it('keys differ whenever any part differs', () => {
    expect(cacheKey('search', 'q', '*', '5')).not.toBe(cacheKey('search', 'q', 'acme/*', '5'));
    expect(cacheKey('search', 'q', '*', '5')).not.toBe(cacheKey('search', 'q', '*', '6'));
    expect(cacheKey('search', 'q', '*', '5')).toBe(cacheKey('search', 'q', '*', '5'));
  });
});

describe('paging cursors', () => {
  const fingerprint = requestFingerprint({ query: 'x' });

  it('round-trips, and refuses cursors of other requests or of our own making', () => {
    expect(decodeCursor(undefined, fingerprint)).toBe(0);
    expect(decodeCursor(encodeCursor(20, fingerprint), fingerprint)).toBe(20);
    expect(() => decodeCursor(encodeCursor(20, fingerprint), requestFingerprint({ query: 'y' }))).toThrow(
      /different request/,
    );
    for (const bad of [
      'x',
      "' OR 1=1",
      encodeCursor(-1, fingerprint),
      encodeCursor(MAX_RESULT_DEPTH, fingerprint),
    ])
      expect(() => decodeCursor(bad, fingerprint)).toThrow(/cursor/);
  });
});

describe('router', () => {
  const match = createRouter(apiRoutes());

  it('matches templates with slashes in parameters and decodes them', () => {
    expect(match('POST', '/repos/acme/app/reindex').params).toEqual({ repo: 'acme/app' });
    expect(match('POST', '/repos/acme%2Fapp/reindex').params).toEqual({ repo: 'acme/app' });
    expect(match('GET', '/').route.path).toBe('/');
  });

  it('answers 404 for unknown paths, 405 with the allowed methods, 400 for broken encoding', () => {
    expect(() => match('GET', '/nope')).toThrow(/No route/);
    expect(() => match('DELETE', '/search')).toThrow(/use POST/);
    expect(() => match('POST', '/repos/%E0%A4%A/reindex')).toThrow(/URL encoding/);
  });
});
