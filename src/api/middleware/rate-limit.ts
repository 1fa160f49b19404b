/**
 * 429 with Retry-After once a caller has used up its bucket. Callers are told apart by token subject, or by
 * source address when auth is off. Runs after authentication, so unauthenticated noise cannot drain a real
 * caller's bucket.
 */
import type { MiddlewareObj } from '@middy/core';
import { TooManyRequestsError } from '../errors.ts';
import type { HttpEvent, HttpResult } from '../http-types.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { stateOf } from './request-state.ts';

export function rateLimit(limiter: RateLimiter): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const state = stateOf(request);
      if (!state.route || state.route.access === 'public' || !state.caller) return;
      const key = state.caller.anonymous
        ? `ip:${request.event.requestContext?.http?.sourceIp ?? ''}`
        : `sub:${state.caller.sub}`;
      const verdict = limiter.take(key);
      if (!verdict.allowed) {
        throw new TooManyRequestsError(
          `Too many requests; retry in ${verdict.retryAfterSeconds} s`,
          verdict.retryAfterSeconds,
        );
      }
    },
  };
}
