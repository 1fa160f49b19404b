/**
 * The search API as one handler over API Gateway v2 events, for Lambda and `codesearch serve` alike. The
 * route handlers only call the engine; everything around them is middy middleware, in this order:
 *
 *   request log → error response → route match (404/405) → authenticate (401/403) → rate limit (429)
 *   → parse input (413/415/400) → route handler
 *
 * Bad input always gets a 4xx with a message; only a genuine fault gives a 500, and its details stay in the log.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Reindexer, RepoAdmin, RepoCatalog } from '#engine/repo-catalog.ts';
import { type Authenticator, OPEN_ACCESS } from './auth/authenticator.ts';
import { NOBODY } from './auth/caller.ts';
import type { HttpEvent, HttpHandler, HttpResult } from './http-types.ts';
import { authenticate } from './middleware/authenticate.ts';
import { errorResponse } from './middleware/error-response.ts';
import { parseInput } from './middleware/parse-input.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { type ApiLogger, jsonLinesLogger, type RequestRecord, requestLog } from './middleware/request-log.ts';
import { stateForEvent } from './middleware/request-state.ts';
import { routeMatch } from './middleware/route-match.ts';
import { type RateLimiter, tokenBucketLimiter, UNLIMITED } from './rate-limiter.ts';
import { createRepoDirectory } from './repo-directory.ts';
import { type ResultCache, ttlResultCache } from './result-cache.ts';
import type { ApiServices, Route } from './route.ts';
import { createRouter } from './router.ts';
import { contextRoute } from './routes/context.ts';
import { healthRoute } from './routes/health.ts';
import { mcpRoute, mcpStreamRoute } from './routes/mcp.ts';
import { openApiRoute } from './routes/openapi.ts';
import { pageRoute } from './routes/page.ts';
import { protectedResourceRoute } from './routes/protected-resource.ts';
import { registerRepoRoute, reindexRoute, removeRepoRoute, reposRoute } from './routes/repos.ts';
import { searchRoute } from './routes/search.ts';
import { similarRoute } from './routes/similar.ts';
import { symbolsRoute } from './routes/symbols.ts';

export { runSearch } from './routes/search.ts';

export interface SearchApiDeps extends Pick<ApiServices, 'store' | 'embedder'> {
  /** Who may call. @default open access (every caller is the local user): loopback development only. */
  readonly auth?: Authenticator;
  /**
   * @default with enforced auth, 60-request bursts refilled at 10 per second per caller; with open access (the
   * loopback dev server, one user) none
   */
  readonly rateLimiter?: RateLimiter;
  /** @default results cached for 60 s, 500 pages */
  readonly cache?: ResultCache;
  readonly catalog?: RepoCatalog;
  readonly reindexer?: Reindexer;
  /** `PUT` and `DELETE /repos/{repo}`. @default none: they answer 409 */
  readonly admin?: RepoAdmin;
  /** Issuers whose tokens the deployment accepts, for the protected-resource metadata. @default none */
  readonly authorizationServers?: readonly string[];
  /** Structured logs. @default JSON lines on stderr */
  readonly logger?: ApiLogger;
  /** Receives each request's record after it is logged (Lambda turns them into metrics). */
  readonly onRequest?: (record: RequestRecord) => void;
  /** @deprecated use `logger`; kept for callers of the first version. */
  readonly logError?: (message: string, error: unknown) => void;
}

/** Every route, in the order the OpenAPI document lists them. */
export function apiRoutes(): Route[] {
  const routes: Route[] = [
    searchRoute,
    similarRoute,
    contextRoute,
    symbolsRoute,
    reposRoute,
    reindexRoute,
    registerRepoRoute,
    removeRepoRoute,
    mcpRoute,
    mcpStreamRoute,
    healthRoute,
    protectedResourceRoute,
    openApiRoute(() => routes),
    pageRoute,
  ];
  return routes;
}

export function createSearchApi(deps: SearchApiDeps): HttpHandler {
  const logger = deps.logger ?? legacyLogger(deps) ?? jsonLinesLogger((line) => process.stderr.write(line));
  const services = createApiServices(deps, logger);
  const auth = deps.auth ?? OPEN_ACCESS;

  const handler = middy<HttpEvent, HttpResult>(dispatch(services))
    .use(requestLog(logger, deps.onRequest))
    .use(errorResponse(logger))
    .use(routeMatch(createRouter(apiRoutes())))
    .use(authenticate(auth))
    .use(rateLimit(deps.rateLimiter ?? (auth.enforced ? tokenBucketLimiter() : UNLIMITED)))
    .use(parseInput());

  return (event, context) => handler(event, context ?? ({} as Context));
}

/**
 * What routes (and MCP tools) work with, from the API's dependencies: the HTTP API builds it once, and
 * `codesearch mcp` builds the same for its stdio session.
 */
export function createApiServices(
  deps: Omit<SearchApiDeps, 'auth' | 'rateLimiter' | 'onRequest' | 'logError'>,
  logger: ApiLogger,
): ApiServices {
  return {
    store: deps.store,
    embedder: deps.embedder,
    cache: deps.cache ?? ttlResultCache(),
    repos: createRepoDirectory(deps.store, deps.catalog),
    reindexer: deps.reindexer,
    admin: deps.admin,
    logger,
    authorizationServers: deps.authorizationServers,
  };
}

/** The core: runs the route the middleware matched, with the caller and input they established. */
function dispatch(services: ApiServices): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    const state = stateForEvent(event);
    if (!state?.route) throw new Error('no route matched');
    return state.route.handle(state.input, {
      services,
      // Public routes run without a caller; they get one that may read nothing.
      caller: state.caller ?? NOBODY,
      event,
      params: state.params,
      facts: state.facts,
    });
  };
}

function legacyLogger(deps: SearchApiDeps): ApiLogger | undefined {
  const logError = deps.logError;
  if (!logError) return undefined;
  return { info: () => {}, error: (message, attributes) => logError(message, attributes.error) };
}
