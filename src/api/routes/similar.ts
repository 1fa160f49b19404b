/**
 * `POST /similar`: code like a snippet (embedded as a document, since it is compared with code), or like an
 * indexed location (its stored vector is reused; the location's own chunk is left out of the results).
 */

import { NotFoundError } from '#engine/errors.ts';
import { documentVector } from '#engine/indexing/embed-with-cache.ts';
import { describeAccess } from '#engine/search/repo-access.ts';
import type { Caller } from '../auth/caller.ts';
import { decodeCursor, encodeCursor, MAX_RESULT_DEPTH, requestFingerprint } from '../cursor.ts';
import { jsonResult } from '../http-types.ts';
import { cacheKey } from '../result-cache.ts';
import { type ApiServices, defineRoute, type RequestFacts } from '../route.ts';
import {
  ErrorResponseSchema,
  type SearchResponse,
  SearchResponseSchema,
  type SimilarRequest,
  SimilarRequestSchema,
} from '../schemas.ts';
import { toSearchResult } from '../views.ts';
import { filterKey, toSearchFilter } from './filters.ts';
import { locateChunk } from './locate.ts';

export const similarRoute = defineRoute({
  method: 'POST',
  path: '/similar',
  summary: 'Code similar to a snippet, or to an indexed location {repo, path, line}.',
  access: 'search',
  input: { from: 'body', schema: SimilarRequestSchema },
  responses: {
    200: { description: 'A page of similar chunks, most similar first.', schema: SearchResponseSchema },
    400: { description: 'Invalid request, with per-field issues.', schema: ErrorResponseSchema },
    403: { description: 'A repository is not granted to this token.', schema: ErrorResponseSchema },
    404: { description: 'The location is not in the index.', schema: ErrorResponseSchema },
  },
  handle: async (request, { services, caller, facts }) =>
    jsonResult(200, await runSimilar(services, request, caller, facts)),
});

/** Runs a validated request (the route and the MCP tool `find_similar_code` alike). */
export async function runSimilar(
  services: ApiServices,
  request: SimilarRequest,
  caller: Caller,
  facts: RequestFacts = {},
): Promise<SearchResponse> {
  const started = performance.now();
  const filter = toSearchFilter(request, caller);
  const limit = request.limit ?? 10;
  const located = request.location
    ? await locateChunk(services.store, caller, request.location, 'location.')
    : undefined;
  const source = located?.chunks[located.index];
  const fingerprint = requestFingerprint({
    snippet: request.snippet,
    source: source?.id,
    filter: filterKey(filter),
  });
  const offset = decodeCursor(request.cursor, fingerprint);
  const key = cacheKey(
    'similar',
    fingerprint,
    offset,
    limit,
    describeAccess(caller.access),
    await services.store.dataVersion(),
  );
  let page = (await services.cache.get(key)) as Omit<SearchResponse, 'tookMs'> | undefined;
  facts.cacheHit = page !== undefined;
  if (!page) {
    let vector: Float32Array | undefined;
    if (source) {
      vector = await services.store.chunkVector(source.id);
      if (!vector) throw new NotFoundError('That location was re-indexed meanwhile; try again');
    } else {
      // Embedded as indexing embeds a chunk (by its windows, for a model that re-scores by them), so a
      // snippet copied from the index finds its own chunk first.
      vector = await documentVector(services.embedder, { path: '', content: request.snippet ?? '' });
    }
    const depth = Math.min(offset + limit, MAX_RESULT_DEPTH);
    const found = (await services.store.vectorSearch(vector as Float32Array, filter, depth + 2)).filter(
      (hit) => hit.chunk.id !== source?.id,
    );
    const commitOf = await services.repos.commits();
    page = {
      results: found
        .slice(offset, depth)
        .map((hit) =>
          toSearchResult({ chunk: hit.chunk, score: hit.score, vectorScore: hit.score }, commitOf),
        ),
      nextCursor: found.length > depth && depth < MAX_RESULT_DEPTH ? encodeCursor(depth, fingerprint) : null,
    };
    await services.cache.set(key, page);
  }
  facts.resultCount = page.results.length;
  return { ...page, tookMs: Math.round((performance.now() - started) * 10) / 10 };
}
