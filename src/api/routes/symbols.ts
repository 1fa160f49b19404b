/**
 * `GET /symbols?name=`: where a symbol is defined (chunks whose definitions include it) and where it is used
 * (keyword hits that mention it as a whole word, definitions excluded). Usages of `Class.method` are looked
 * up by `method`, the form call sites write.
 */
import { validateRepoName, validateSymbolName } from '#engine/search/filters.ts';
import type { Caller } from '../auth/caller.ts';
import { jsonResult } from '../http-types.ts';
import { type ApiServices, defineRoute, type RequestFacts } from '../route.ts';
import {
  ErrorResponseSchema,
  type SymbolsQuery,
  SymbolsQuerySchema,
  type SymbolsResponse,
  SymbolsResponseSchema,
} from '../schemas.ts';
import { toChunkView } from '../views.ts';
import { toSearchFilter } from './filters.ts';

export const symbolsRoute = defineRoute({
  method: 'GET',
  path: '/symbols',
  summary: 'Where a symbol is defined and where it is used.',
  access: 'search',
  input: { from: 'query', schema: SymbolsQuerySchema },
  responses: {
    200: { description: 'Definitions and usages.', schema: SymbolsResponseSchema },
    400: { description: 'Invalid query, with per-field issues.', schema: ErrorResponseSchema },
    403: { description: 'The repository is not granted to this token.', schema: ErrorResponseSchema },
  },
  handle: async (query, { services, caller, facts }) =>
    jsonResult(200, await runSymbols(services, query, caller, facts)),
});

/** Runs a validated query (the route and the MCP tool `find_symbol` alike). */
export async function runSymbols(
  services: ApiServices,
  query: SymbolsQuery,
  caller: Caller,
  facts: RequestFacts = {},
): Promise<SymbolsResponse> {
  const name = validateSymbolName(query.name, 'name');
  const limit = query.limit ?? 20;
  const filter = toSearchFilter(
    {
      repo: query.repo === undefined ? undefined : validateRepoName(query.repo),
      branch: query.branch,
      language: query.language,
    },
    caller,
  );
  const definitions = await services.store.listChunks({ ...filter, symbol: name }, limit);
  const defined = new Set(definitions.map((chunk) => chunk.id));
  const word = name.split(/\.|::|#/).pop() ?? name;
  const mentions = new RegExp(
    `(^|[^A-Za-z0-9_$])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_$])`,
  );
  const usages = (await services.store.keywordSearch(word, filter, limit * 3))
    .map((hit) => hit.chunk)
    .filter(
      (chunk) => !defined.has(chunk.id) && !chunk.symbols.includes(name) && mentions.test(chunk.content),
    )
    .slice(0, limit);
  const commitOf = await services.repos.commits();
  facts.resultCount = definitions.length + usages.length;
  return {
    name,
    definitions: definitions
      .sort(
        (a, b) => a.repo.localeCompare(b.repo) || a.path.localeCompare(b.path) || a.startLine - b.startLine,
      )
      .map((chunk) => toChunkView(chunk, commitOf)),
    usages: usages.map((chunk) => toChunkView(chunk, commitOf)),
  };
}
