/**
 * What the middleware chain learns about one request, so each middleware stays a small, separate step
 * (match route → authenticate → rate-limit → parse input → handle). Keyed by the event object, which middy
 * hands unchanged to every middleware and to the handler; a WeakMap lets it go with the request.
 */
import type { Request } from '@middy/core';
import type { Caller } from '../auth/caller.ts';
import type { HttpEvent, HttpResult } from '../http-types.ts';
import type { RequestFacts, Route } from '../route.ts';

export interface RequestState {
  readonly startedAt: number;
  route?: Route;
  params: Record<string, string>;
  caller?: Caller;
  input?: unknown;
  readonly facts: RequestFacts;
}

export type ApiRequest = Request<HttpEvent, HttpResult>;

const states = new WeakMap<HttpEvent, RequestState>();

export function stateOf(request: ApiRequest): RequestState {
  let state = states.get(request.event);
  if (!state) {
    state = { startedAt: performance.now(), params: {}, facts: {} };
    states.set(request.event, state);
  }
  return state;
}

export function stateForEvent(event: HttpEvent): RequestState | undefined {
  return states.get(event);
}

/** Header lookup that ignores case: API Gateway lower-cases names, other callers may not. */
export function header(event: HttpEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}
