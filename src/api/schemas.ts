/**
 * Every request and response shape of the API, as zod schemas. The same objects validate requests (through
 * the input middleware), type the handlers, and generate `GET /openapi.json`, so the document cannot drift
 * from what the code accepts. Unknown fields are rejected: a misspelt filter must not silently search
 * everything. Filter values are checked again by the engine's validators, the only path to a filter string.
 */
import { z } from 'zod';
import { LANGUAGES } from '#engine/languages.ts';
import { SEARCH_MODES } from '#engine/search/search.ts';

export const MAX_QUERY_CHARS = 1000;
export const MAX_SNIPPET_CHARS = 10_000;
export const MAX_LIMIT = 100;
export const MAX_BODY_BYTES = 64 * 1024;

const repoName = z.string().min(1).max(201).meta({ description: 'A repository: `name` or `owner/name`.' });
const repoFilter = z
  .union([repoName, z.array(repoName).max(100)])
  .optional()
  .meta({ description: 'Only these repositories (absent: every repository the caller may read).' });
const branch = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .meta({ description: "A branch with its own index (absent: each repository's default branch)." });
const language = z.enum(LANGUAGES, { error: `language must be one of: ${LANGUAGES.join(', ')}` }).optional();
const pathFilter = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .meta({ description: 'A path prefix (`src/api/`) or a glob (`src/**/*.ts`, `**/*.{ts,tsx}`).' });
const limit = z.number().int().min(1).max(MAX_LIMIT).optional().meta({ description: 'Results per page.' });
const cursor = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .meta({ description: 'The `nextCursor` of the previous page (same request otherwise).' });

/** A positive whole number in a query string (query parameters always arrive as text). */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const SearchRequestSchema = z
  .strictObject({
    query: z
      .string({ error: 'query must be a string' })
      // The limit is on what was sent, before trimming: padding must not smuggle in a huge body.
      .max(MAX_QUERY_CHARS, `query must be at most ${MAX_QUERY_CHARS} characters`)
      .trim()
      .min(1, 'query must not be empty')
      .meta({ description: 'Natural language or code.' }),
    repo: repoFilter,
    branch,
    language,
    path: pathFilter,
    symbol: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Only chunks that define this symbol.' }),
    mode: z.enum(SEARCH_MODES, { error: `mode must be one of: ${SEARCH_MODES.join(', ')}` }).optional(),
    limit,
    cursor,
  })
  .meta({ title: 'SearchRequest' });
export type SearchRequest = z.infer<typeof SearchRequestSchema>;

export const LocationSchema = z.strictObject({
  repo: repoName,
  branch,
  path: z.string().min(1).max(1024),
  line: z.number().int().min(1).max(10_000_000),
});

export const SimilarRequestSchema = z
  .strictObject({
    snippet: z
      .string({ error: 'snippet must be a string' })
      .max(MAX_SNIPPET_CHARS, `snippet must be at most ${MAX_SNIPPET_CHARS} characters`)
      .trim()
      .min(1, 'snippet must not be empty')
      .optional()
      .meta({ description: 'Code to find similar code for.' }),
    location: LocationSchema.optional().meta({
      description: 'An indexed location; the chunk enclosing that line is compared by its stored vector.',
    }),
    repo: repoFilter,
    branch,
    language,
    path: pathFilter,
    limit,
    cursor,
  })
  .refine((body) => (body.snippet === undefined) !== (body.location === undefined), {
    message: 'give exactly one of snippet or location',
    path: ['snippet'],
  })
  .meta({ title: 'SimilarRequest' });
export type SimilarRequest = z.infer<typeof SimilarRequestSchema>;

export const ContextQuerySchema = z
  .strictObject({
    repo: repoName,
    branch,
    path: z.string().min(1).max(1024),
    line: queryInt(1, 10_000_000),
    neighbours: queryInt(0, 5).optional().meta({ description: 'Chunks before and after (default 1).' }),
  })
  .meta({ title: 'ContextQuery' });
export type ContextQuery = z.infer<typeof ContextQuerySchema>;

export const SymbolsQuerySchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    repo: repoName.optional(),
    branch,
    language,
    limit: queryInt(1, MAX_LIMIT).optional(),
  })
  .meta({ title: 'SymbolsQuery' });
export type SymbolsQuery = z.infer<typeof SymbolsQuerySchema>;

/** Routes without input still reject unknown query parameters, so a typo never goes unnoticed. */
export const NoQuerySchema = z.strictObject({});
/** The body of a POST that takes no input: empty, or `{}`. */
export const EmptyBodySchema = z.strictObject({});

// ---- responses ----------------------------------------------------------------------------------------

const chunkFields = {
  repo: z.string(),
  branch: z
    .string()
    .nullable()
    .meta({ description: 'The branch it was indexed from; null: the default branch.' }),
  commit: z.string().nullable().meta({ description: 'The searchable commit; null until one is recorded.' }),
  path: z.string(),
  startLine: z.number().int(),
  endLine: z.number().int(),
  language: z.string(),
  symbols: z.array(z.string()),
  snippet: z.string(),
};

export const ChunkViewSchema = z.object(chunkFields).meta({ title: 'Chunk' });
export type ChunkView = z.infer<typeof ChunkViewSchema>;

export const SearchResultSchema = z
  .object({
    ...chunkFields,
    score: z.number().meta({
      description:
        "Hybrid: the model's ranker's estimate that this is the best match among the ranked candidates (0–1; " +
        '0 beyond them), or with a model without a ranker the fused rank score (1.0 = first on both sides). ' +
        "Vector: cosine similarity, or with a model's vector ranker its estimate as for hybrid. Keyword: BM25.",
    }),
    vectorScore: z.number().nullable().meta({
      description: 'Cosine similarity (of the best window, for models that re-score windows), when known.',
    }),
    keywordScore: z.number().nullable().meta({ description: 'BM25 score, when the keyword side found it.' }),
  })
  .meta({ title: 'SearchResult' });
export type SearchResultItem = z.infer<typeof SearchResultSchema>;

export const SearchResponseSchema = z
  .object({
    results: z.array(SearchResultSchema),
    nextCursor: z.string().nullable(),
    tookMs: z.number(),
  })
  .meta({ title: 'SearchResponse' });
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

export const ContextResponseSchema = z
  .object({
    repo: z.string(),
    path: z.string(),
    line: z.number().int(),
    chunk: ChunkViewSchema,
    before: z.array(ChunkViewSchema),
    after: z.array(ChunkViewSchema),
  })
  .meta({ title: 'ContextResponse' });
export type ContextResponse = z.infer<typeof ContextResponseSchema>;

export const SymbolsResponseSchema = z
  .object({ name: z.string(), definitions: z.array(ChunkViewSchema), usages: z.array(ChunkViewSchema) })
  .meta({ title: 'SymbolsResponse' });
export type SymbolsResponse = z.infer<typeof SymbolsResponseSchema>;

export const RepoInfoSchema = z
  .object({
    repo: z.string(),
    branch: z.string().nullable().meta({ description: 'A branch index; null: the default branch.' }),
    commit: z.string().nullable(),
    indexedAt: z.string().nullable(),
    files: z.number().int().nullable(),
    chunks: z.number().int(),
    status: z.enum(['ready', 'indexing', 'failed']),
    errors: z.array(z.string()),
  })
  .meta({ title: 'Repo' });
export type RepoInfo = z.infer<typeof RepoInfoSchema>;

export const ReposResponseSchema = z
  .object({ repos: z.array(RepoInfoSchema) })
  .meta({ title: 'ReposResponse' });

export const RegisterRepoRequestSchema = z
  .strictObject({
    branches: z
      .array(z.string().min(1).max(200))
      .max(20)
      .optional()
      .meta({ description: 'Branches indexed besides the default branch, each its own index.' }),
  })
  .meta({ title: 'RegisterRepoRequest' });
export type RegisterRepoRequest = z.infer<typeof RegisterRepoRequestSchema>;

export const RegisterRepoResponseSchema = z
  .object({ repo: z.string(), branches: z.array(z.string()), status: z.literal('indexing') })
  .meta({ title: 'RegisterRepoResponse' });

export const RemoveRepoResponseSchema = z
  .object({ repo: z.string(), indexes: z.array(z.string()), status: z.literal('removing') })
  .meta({ title: 'RemoveRepoResponse' });

export const ReindexRequestSchema = z
  .strictObject({
    branch: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'A branch index to re-index (absent: the default branch).' }),
  })
  .meta({ title: 'ReindexRequest' });
export type ReindexRequest = z.infer<typeof ReindexRequestSchema>;

export const ReindexResponseSchema = z
  .object({ repo: z.string(), branch: z.string().nullable(), status: z.literal('indexing') })
  .meta({ title: 'ReindexResponse' });

export const HealthResponseSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    model: z.string(),
    dimension: z.number().int(),
    index: z.object({ reachable: z.boolean() }),
  })
  .meta({
    title: 'HealthResponse',
    description:
      'What an unauthenticated caller may know: whether the service works, and with which model. How much is ' +
      'indexed, and when it last changed, is for token holders (`GET /repos`).',
  });

export const ErrorResponseSchema = z
  .object({
    error: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ title: 'Error' });

export const ProtectedResourceMetadataSchema = z
  .object({
    resource: z.string(),
    resource_name: z.string(),
    authorization_servers: z.array(z.string()).optional(),
    bearer_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()),
  })
  .meta({ title: 'ProtectedResourceMetadata', description: 'RFC 9728 protected-resource metadata.' });
