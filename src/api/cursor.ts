/**
 * Opaque paging cursors. A cursor records how many results the caller has seen and a fingerprint of the
 * request that produced it, so it cannot be replayed against a different query or filter (a 400 says so).
 * Depth is capped: ranking deeper than a few hundred results is not what a search API is for.
 */
import { InvalidRequestError } from '#engine/errors.ts';
import { cacheKey } from './result-cache.ts';

export const MAX_RESULT_DEPTH = 500;

export function requestFingerprint(request: unknown): string {
  return cacheKey(request).slice(0, 16);
}

export function encodeCursor(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url');
}

/** The offset a cursor points at (0 without one); throws a 400 for anything we did not issue. */
export function decodeCursor(cursor: string | undefined, fingerprint: string): number {
  if (cursor === undefined) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('not a cursor this API issued');
  }
  const { o, f } = (parsed ?? {}) as { o?: unknown; f?: unknown };
  if (
    typeof o !== 'number' ||
    !Number.isInteger(o) ||
    o < 0 ||
    o >= MAX_RESULT_DEPTH ||
    typeof f !== 'string'
  )
    throw invalidCursor('not a cursor this API issued');
  if (f !== fingerprint) throw invalidCursor('the cursor belongs to a different request');
  return o;
}

function invalidCursor(why: string): InvalidRequestError {
  return new InvalidRequestError(`cursor: ${why}`, [{ path: 'cursor', message: why }]);
}
