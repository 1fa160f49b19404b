/**
 * A secret read once and kept for a while: every webhook and every GitHub request needs one, and a fetch per
 * use would add latency and cost. The expiry lets a rotated value reach warm containers; `invalidate()` lets
 * a caller that was just refused (401) re-read at once.
 */
import type { SecretSource } from '../secrets.ts';

export interface CachedSecret {
  read(): Promise<string>;
  /** Forget the cached value: the next read fetches it again. */
  invalidate(): void;
  readonly description: string;
}

/**
 * @example
 * const webhookSecret = cachedSecret(secretsManagerSecret(client, arn), { ttlMs: 5 * 60_000 });
 * const value = await webhookSecret.read();
 */
export function cachedSecret(
  source: SecretSource,
  options: { ttlMs?: number; now?: () => number } = {},
): CachedSecret {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let cached: { value: Promise<string>; expires: number } | undefined;
  return {
    description: source.description,
    read() {
      if (!cached || cached.expires <= now()) {
        const entry = { value: source.read(), expires: now() + ttlMs };
        // A failed read is not cached: the next call tries again.
        entry.value.catch(() => {
          if (cached === entry) cached = undefined;
        });
        cached = entry;
      }
      return cached.value;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
