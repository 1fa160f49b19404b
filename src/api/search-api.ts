/**
 * The search API's routes as one handler over API Gateway v2 events: `POST /search` and `GET /health`.
 * Bad input always gets a 4xx with a message; only a genuine fault gives a 500, and its details stay in the
 * log.
 */

import { z } from 'zod';
import { CodeSearchError, InvalidRequestError, NotFoundError, PayloadTooLargeError } from '#engine/errors.ts';
import { parsePathFilter, type SearchFilter, validateRepos } from '#engine/search/filters.ts';
import { search } from '#engine/search/search.ts';
import type { ChunkStore, Embedder } from '#engine/types.ts';
import { type HttpEvent, type HttpHandler, type HttpResult, jsonResult } from './http-types.ts';
import { MAX_BODY_BYTES, type SearchRequest, SearchRequestSchema, type SearchResponse } from './schemas.ts';
import { toSnippet } from './snippet.ts';

export interface SearchApiDeps {
  readonly store: ChunkStore;
  readonly embedder: Embedder;
  /** Where unexpected errors are reported (structured logging in Lambda, stderr locally). */
  readonly logError?: (message: string, error: unknown) => void;
}

class MethodNotAllowedError extends CodeSearchError {
  override readonly statusCode = 405;
  override readonly expose = true;
}

class UnsupportedMediaTypeError extends CodeSearchError {
  override readonly statusCode = 415;
  override readonly expose = true;
}

export function createSearchApi(deps: SearchApiDeps): HttpHandler {
  const routes: Record<string, Record<string, (event: HttpEvent) => Promise<HttpResult>>> = {
    '/health': { GET: async () => health(deps) },
    '/search': { POST: async (event) => jsonResult(200, await runSearch(deps, parseSearchRequest(event))) },
  };
  return async (event) => {
    try {
      const path = event.rawPath || '/';
      const route = routes[path];
      if (!route) throw new NotFoundError(`No route for ${path}`);
      const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
      const run = route[method];
      if (!run)
        throw new MethodNotAllowedError(
          `${method} is not allowed on ${path}; use ${Object.keys(route).join(', ')}`,
        );
      return await run(event);
    } catch (error) {
      return errorResult(error, deps.logError);
    }
  };
}

async function health(deps: SearchApiDeps): Promise<HttpResult> {
  const chunks = await deps.store.countChunks();
  return jsonResult(200, {
    status: 'ok',
    model: deps.embedder.modelId,
    dimension: deps.embedder.dimension,
    chunks,
  });
}

function parseSearchRequest(event: HttpEvent): SearchRequest {
  const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('POST /search expects a JSON body (content-type: application/json)');
  }
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.byteLength > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidRequestError('Request body is not valid JSON');
  }
  const parsed = SearchRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    throw new InvalidRequestError(
      `Invalid search request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return parsed.data;
}

/** Runs a validated request; exported so the CLI formats the same results as the API. */
export async function runSearch(
  deps: Pick<SearchApiDeps, 'store' | 'embedder'>,
  request: SearchRequest,
): Promise<SearchResponse> {
  const started = performance.now();
  const filter: SearchFilter = {
    repos:
      request.repo === undefined
        ? undefined
        : validateRepos(typeof request.repo === 'string' ? [request.repo] : request.repo),
    language: request.language,
    path: request.path === undefined ? undefined : parsePathFilter(request.path),
  };
  const hits = await search(deps, {
    text: request.query,
    mode: request.mode ?? 'hybrid',
    filter,
    limit: request.limit ?? 10,
  });
  return {
    results: hits.map(({ chunk, score }) => ({
      repo: chunk.repo,
      path: chunk.path,
      startLine: chunk.startLine,
      endLine: chunk.endLine,
      language: chunk.language,
      symbols: chunk.symbols,
      score: Math.round(score * 10_000) / 10_000,
      snippet: toSnippet(chunk.content),
    })),
    tookMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

function errorResult(error: unknown, logError: SearchApiDeps['logError']): HttpResult {
  if (error instanceof InvalidRequestError) {
    return jsonResult(error.statusCode, { error: error.message, issues: error.issues });
  }
  if (error instanceof CodeSearchError && error.expose)
    return jsonResult(error.statusCode, { error: error.message });
  if (error instanceof z.ZodError) return jsonResult(400, { error: error.message });
  (logError ?? ((message, e) => console.error(message, e)))('search API: unexpected error', error);
  return jsonResult(500, { error: 'Internal error' });
}
