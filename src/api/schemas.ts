/**
 * Request schemas. Unknown fields are rejected (a misspelt filter must not silently search everything), and
 * every filter value goes through the engine's validators, which are the only path to a filter string.
 */
import { z } from 'zod';
import { LANGUAGES } from '#engine/languages.ts';
import { SEARCH_MODES } from '#engine/search/search.ts';

export const MAX_QUERY_CHARS = 1000;
export const MAX_LIMIT = 100;
export const MAX_BODY_BYTES = 64 * 1024;

const repoName = z.string().min(1).max(201);

export const SearchRequestSchema = z.strictObject({
  query: z
    .string({ error: 'query must be a string' })
    .trim()
    .min(1, 'query must not be empty')
    .max(MAX_QUERY_CHARS, `query must be at most ${MAX_QUERY_CHARS} characters`),
  repo: z.union([repoName, z.array(repoName).max(100)]).optional(),
  language: z.enum(LANGUAGES, { error: `language must be one of: ${LANGUAGES.join(', ')}` }).optional(),
  path: z.string().min(1).max(512).optional(),
  mode: z.enum(SEARCH_MODES, { error: `mode must be one of: ${SEARCH_MODES.join(', ')}` }).optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
});

export type SearchRequest = z.infer<typeof SearchRequestSchema>;

export interface SearchResultItem {
  readonly repo: string;
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly language: string;
  readonly symbols: readonly string[];
  readonly score: number;
  readonly snippet: string;
}

export interface SearchResponse {
  readonly results: readonly SearchResultItem[];
  readonly tookMs: number;
}
