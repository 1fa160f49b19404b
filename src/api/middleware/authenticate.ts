/** Resolves the caller for every non-public route and checks the route's scope (401, then 403). */
import type { MiddlewareObj } from '@middy/core';
import type { Authenticator } from '../auth/authenticator.ts';
import { requireScope } from '../auth/caller.ts';
import type { HttpEvent, HttpResult } from '../http-types.ts';
import { header, stateOf } from './request-state.ts';

export function authenticate(authenticator: Authenticator): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      if (!state.route || state.route.access === 'public') return;
      const caller = await authenticator.authenticate(header(request.event, 'authorization'));
      state.caller = caller;
      requireScope(caller, state.route.access);
    },
  };
}
