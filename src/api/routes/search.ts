/**
 * `POST /search`: hybrid (default), vector or keyword search with repository, language, path and symbol
 * filters, paged by cursor. Pages are cached by request, grant, index version and ranking settings.
 */
import { describeAccess } from '#engine/search/repo-access.ts';
import { rankingFingerprint, search } from '#engine/search/search.ts';
import type { Caller } from '../auth/caller.ts';
import { LOCAL_CALLER } from '../auth/caller.ts';
import { decodeCursor, encodeCursor, MAX_RESULT_DEPTH, requestFingerprint } from '../cursor.ts';
import { jsonResult } from '../http-types.ts';
import { cacheKey, NO_CACHE } from '../result-cache.ts';
import { type ApiServices, defineRoute, type RequestFacts } from '../route.ts';
import {
  ErrorResponseSchema,
  type SearchRequest,
  SearchRequestSchema,
  type SearchResponse,
  SearchResponseSchema,
} from '../schemas.ts';
import { toSearchResult } from '../views.ts';
import { filterKey, toSearchFilter } from './filters.ts';

export const searchRoute = defineRoute({
  method: 'POST',
  path: '/search',
  summary: 'Search code in natural language or code; hybrid (vector + keyword) by default.',
  access: 'search',
  input: { from: 'body', schema: SearchRequestSchema },
  responses: {
    200: { description: 'A page of results, best first.', schema: SearchResponseSchema },
    400: { description: 'Invalid request, with per-field issues.', schema: ErrorResponseSchema },
    403: { description: 'A requested repository is not granted to this token.', schema: ErrorResponseSchema },
  },
  handle: async (request, { services, caller, facts }) =>
    jsonResult(200, await runSearch(services, request, caller, facts)),
});

/** Runs a validated request; exported so the CLI prints exactly what the API answers. */
export async function runSearch(
  services: Pick<ApiServices, 'store' | 'embedder'> & Partial<ApiServices>,
  request: SearchRequest,
  caller: Caller = LOCAL_CALLER,
  facts: RequestFacts = {},
): Promise<SearchResponse> {
  const started = performance.now();
  const filter = toSearchFilter(request, caller);
  const mode = request.mode ?? 'hybrid';
  const limit = request.limit ?? 10;
  const fingerprint = requestFingerprint({ query: request.query, mode, filter: filterKey(filter) });
  const offset = decodeCursor(request.cursor, fingerprint);
  const cache = services.cache ?? NO_CACHE;
  const key = cacheKey(
    'search',
    fingerprint,
    offset,
    limit,
    describeAccess(caller.access),
    await services.store.dataVersion(),
    rankingFingerprint(services.embedder),
  );
  let page = (await cache.get(key)) as Omit<SearchResponse, 'tookMs'> | undefined;
  facts.cacheHit = page !== undefined;
  if (!page) {
    const depth = Math.min(offset + limit, MAX_RESULT_DEPTH);
    // One extra hit tells whether a next page exists.
    const hits = await search(services, { text: request.query, mode, filter, limit: depth + 1 });
    const commitOf = services.repos ? await services.repos.commits() : () => null;
    page = {
      results: hits.slice(offset, depth).map((hit) => toSearchResult(hit, commitOf)),
      nextCursor: hits.length > depth && depth < MAX_RESULT_DEPTH ? encodeCursor(depth, fingerprint) : null,
    };
    // Awaited: on Lambda the container freezes once the response is out, so a write left running may never land.
    await cache.set(key, page);
  }
  facts.resultCount = page.results.length;
  return { ...page, tookMs: Math.round((performance.now() - started) * 10) / 10 };
}
