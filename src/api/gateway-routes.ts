/**
 * The routes API Gateway sends to each function; anything else gets API Gateway's own 404 without starting a
 * function. The stack declares them (infra/codesearch-http-api.ts), and the local server matches requests
 * against the same table (`matchGatewayRoute`), so that `codesearch serve` answers exactly what the deployed
 * API answers — a 404 for `HEAD /health` or `GET //repos`, before any handler runs. The webhook takes whatever
 * path it is routed at, so its route is only declared here. Adding a route to the search API is one line
 * here (test/infra/stack.test.ts fails when this list and the API's route table, `apiRoutes()`, disagree).
 */

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
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
  { method: 'PUT', path: '/repos/{repo}' },
  { method: 'DELETE', path: '/repos/{repo}' },
  { method: 'POST', path: '/mcp' },
  { method: 'GET', path: '/mcp' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/.well-known/oauth-protected-resource' },
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

/** What API Gateway puts in the event for a matched route. */
export interface GatewayMatch {
  /** `POST /repos/{repo+}` */
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
}

/**
 * The route API Gateway would pick for a method and raw path, as the event names it; undefined where API
 * Gateway answers 404 itself. Paths are compared as sent (no slash squeezing, no decoding), as API Gateway
 * does; a greedy parameter takes the rest of the path, at least one character.
 *
 * @example
 * matchGatewayRoute(SEARCH_ROUTES, 'POST', '/repos/acme%2Fapi/reindex');
 * // { routeKey: 'POST /repos/{repo+}', pathParameters: { repo: 'acme%2Fapi/reindex' } }
 */
export function matchGatewayRoute(
  routes: readonly ApiRoute[],
  method: string,
  rawPath: string,
): GatewayMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const path = apiGatewayPath(route.path);
    const greedy = /\{(\w+)\+\}$/.exec(path);
    if (!greedy) {
      if (rawPath === path) return { routeKey: `${route.method} ${path}` };
      continue;
    }
    const prefix = path.slice(0, greedy.index);
    if (rawPath.startsWith(prefix) && rawPath.length > prefix.length)
      return {
        routeKey: `${route.method} ${path}`,
        pathParameters: { [greedy[1] as string]: decodeURIComponentOr(rawPath.slice(prefix.length)) },
      };
  }
  return undefined;
}

/** API Gateway hands path parameters over decoded. */
function decodeURIComponentOr(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
