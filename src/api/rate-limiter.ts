/**
 * Per-caller rate limiting with token buckets: each caller may burst up to `burst` requests, refilled at
 * `perSecond`. In Lambda the buckets live per container, so this is a guard against one noisy client, not a
 * global quota (API Gateway throttling is that).
 */
export interface RateLimiter {
  /** Takes one request from `key`'s bucket; when empty, says how many whole seconds until one is back. */
  take(
    key: string,
  ): { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };
}

export interface TokenBucketOptions {
  /** @default 60 */
  readonly burst?: number;
  /** @default 10 */
  readonly perSecond?: number;
  /** Buckets kept at most; the least recently used are forgotten (a forgotten bucket is a full one). @default 10000 */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

export function tokenBucketLimiter(options: TokenBucketOptions = {}): RateLimiter {
  const burst = options.burst ?? 60;
  const perSecond = options.perSecond ?? 10;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      buckets.delete(key); // re-inserted below: Map order doubles as least-recently-used order
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
    },
  };
}

export const UNLIMITED: RateLimiter = { take: () => ({ allowed: true }) };
