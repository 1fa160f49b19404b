/** `GET /context?repo&path&line`: the chunk enclosing a line, with its neighbours in the file. */

import type { Caller } from '../auth/caller.ts';
import { jsonResult } from '../http-types.ts';
import { type ApiServices, defineRoute, type RequestFacts } from '../route.ts';
import {
  type ContextQuery,
  ContextQuerySchema,
  type ContextResponse,
  ContextResponseSchema,
  ErrorResponseSchema,
} from '../schemas.ts';
import { toChunkView } from '../views.ts';
import { locateChunk } from './locate.ts';

export const contextRoute = defineRoute({
  method: 'GET',
  path: '/context',
  summary: 'The chunk enclosing a line of an indexed file, and its neighbours.',
  access: 'search',
  input: { from: 'query', schema: ContextQuerySchema },
  responses: {
    200: {
      description: 'The enclosing chunk with the chunks before and after it.',
      schema: ContextResponseSchema,
    },
    400: { description: 'Invalid query, with per-field issues.', schema: ErrorResponseSchema },
    403: { description: 'The repository is not granted to this token.', schema: ErrorResponseSchema },
    404: { description: 'No indexed code at that location.', schema: ErrorResponseSchema },
  },
  handle: async (query, { services, caller, facts }) =>
    jsonResult(200, await runContext(services, query, caller, facts)),
});

/** Runs a validated query (the route and the MCP tool `get_code_context` alike). */
export async function runContext(
  services: ApiServices,
  query: ContextQuery,
  caller: Caller,
  facts: RequestFacts = {},
): Promise<ContextResponse> {
  const { repo, path, chunks, index } = await locateChunk(services.store, caller, query);
  const around = query.neighbours ?? 1;
  const commitOf = await services.repos.commits();
  const view = (i: number) => toChunkView(chunks[i] as (typeof chunks)[number], commitOf);
  const before = range(Math.max(0, index - around), index).map(view);
  const after = range(index + 1, Math.min(chunks.length, index + 1 + around)).map(view);
  facts.resultCount = 1 + before.length + after.length;
  return { repo, path, line: query.line, chunk: view(index), before, after };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
