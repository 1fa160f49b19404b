/**
 * What to do with one GitHub API response, following GitHub's documented rules for its REST API:
 *
 * - primary limit (403/429 with `x-ratelimit-remaining: 0`): wait until `x-ratelimit-reset` (epoch seconds);
 * - secondary limit (403/429 with `retry-after`): wait that many seconds; without the header, at least a minute;
 * - 5xx and network errors: exponential backoff with full jitter;
 * - any other 403 is a permission problem and 404 a missing object: retrying does not help.
 *
 * A wait longer than the caller may block (a Lambda function's time is money and bounded) is not slept
 * through: the caller gets a RetryLaterError and the queue brings the job back after the wait.
 */

export interface RetryPolicy {
  /** Attempts per request, the first included. @default 5 */
  readonly maxAttempts: number;
  /** First backoff for 5xx/network errors; doubles per attempt. @default 300 */
  readonly baseDelayMs: number;
  /** Cap of one backoff. @default 5_000 */
  readonly maxDelayMs: number;
  /** The longest single wait slept in-process; longer waits are handed to the queue. @default 20_000 */
  readonly maxInlineWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  maxInlineWaitMs: 20_000,
};

/** GitHub asks clients to wait at least this long after a secondary limit without `retry-after`. */
export const SECONDARY_LIMIT_DEFAULT_WAIT_MS = 60_000;

export type ResponseVerdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'wait'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'backoff'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

export interface ResponseFacts {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** The `message` of GitHub's JSON error body, if any. */
  readonly message?: string;
}

export function judgeResponse(response: ResponseFacts, nowMs: number): ResponseVerdict {
  const { status, headers } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 404) return { kind: 'not-found' };
  if (status === 401) return { kind: 'unauthorized' };
  if (status === 403 || status === 429) {
    const retryAfter = Number(headers.get('retry-after'));
    if (headers.get('retry-after') !== null && Number.isFinite(retryAfter))
      return {
        kind: 'wait',
        delayMs: Math.max(0, retryAfter) * 1000,
        reason: `${status} retry-after ${retryAfter}s`,
      };
    if (headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(headers.get('x-ratelimit-reset')) * 1000;
      const delayMs = Number.isFinite(reset)
        ? Math.max(1000, reset - nowMs + 1000)
        : SECONDARY_LIMIT_DEFAULT_WAIT_MS;
      return {
        kind: 'wait',
        delayMs,
        reason: `primary rate limit exhausted (${headers.get('x-ratelimit-resource') ?? 'core'})`,
      };
    }
    if (status === 429 || /secondary rate limit|abuse/i.test(response.message ?? ''))
      return {
        kind: 'wait',
        delayMs: SECONDARY_LIMIT_DEFAULT_WAIT_MS,
        reason: `secondary rate limit (${status})`,
      };
    return { kind: 'fail', reason: `403 forbidden: ${response.message ?? 'no access'}` };
  }
  if (status >= 500) return { kind: 'backoff', reason: `GitHub answered ${status}` };
  return { kind: 'fail', reason: `GitHub answered ${status}: ${response.message ?? ''}`.trim() };
}

/** Full jitter: a uniformly random wait up to the capped exponential bound (AWS Architecture Blog). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * bound);
}
