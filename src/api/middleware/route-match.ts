/** Finds the route first, so a wrong path or method is a 404/405 before any credentials are looked at. */
import type { MiddlewareObj } from '@middy/core';
import type { HttpEvent, HttpResult } from '../http-types.ts';
import type { RouteMatcher } from '../router.ts';
import { stateOf } from './request-state.ts';

export function routeMatch(match: RouteMatcher): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const event = request.event;
      const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
      const { route, params } = match(method, event.rawPath || '/');
      const state = stateOf(request);
      state.route = route;
      state.params = params;
    },
  };
}
