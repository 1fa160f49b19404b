/**
 * The routes API Gateway sends to each function; anything else gets API Gateway's own 404 without starting a
 * function. The webhook takes whatever path it is routed at, so its route is only declared here. Adding a route to the search API is one line here (test/infra/stack.test.ts fails when this list
 * and the API's route table, `apiRoutes()` in src/api, disagree).
 */

export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** As the handler declares it: `{name}` is a parameter, which may contain `/`. */
  readonly path: string;
}

/** Served by functions/search/handler.ts (`createSearchApi` in src/api). */
export const SEARCH_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/search' },
  { method: 'POST', path: '/similar' },
  { method: 'GET', path: '/context' },
  { method: 'GET', path: '/symbols' },
  { method: 'GET', path: '/repos' },
  { method: 'POST', path: '/repos/{repo}/reindex' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/openapi.json' },
  { method: 'GET', path: '/' },
];

/** Served by functions/webhook/handler.ts: GitHub's push deliveries (the stack's `WebhookUrl` output). */
export const WEBHOOK_ROUTES: readonly ApiRoute[] = [{ method: 'POST', path: '/webhooks/github' }];

/**
 * The API Gateway path for a handler path. An API Gateway parameter matches one segment, but a repository
 * name has two (`acme/api`), so from the first parameter on the path becomes one greedy parameter
 * (`/repos/{repo}/reindex` → `/repos/{repo+}`) and the function's own router matches the rest.
 */
export function apiGatewayPath(path: string): string {
  const parameter = /\{(\w+)\}/.exec(path);
  if (!parameter) return path;
  return `${path.slice(0, parameter.index)}{${parameter[1]}+}`;
}
