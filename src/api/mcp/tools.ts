/**
 * The MCP tools: what a coding agent can ask codesearch. Each runs the very function its REST route runs
 * (`runSearch`, `runSimilar`, …) with the caller the request authenticated as, so a token's grant is checked
 * once, in one place, and rides into the store's query filter exactly as for REST. The input is validated
 * twice, as for REST: by the tool's own schema (what agents see) and by the route's.
 *
 * Each tool answers with `structuredContent` (the REST response body, checked against `outputSchema`) and a
 * short text rendering for the model: `repo path:start-end  symbols`, then the snippet.
 */
import { z } from 'zod';
import { InvalidRequestError } from '#engine/errors.ts';
import { LANGUAGES } from '#engine/languages.ts';
import { SEARCH_MODES } from '#engine/search/search.ts';
import type { Caller } from '../auth/caller.ts';
import { validate } from '../middleware/parse-input.ts';
import type { ApiServices, RequestFacts } from '../route.ts';
import { runContext } from '../routes/context.ts';
import { listVisibleRepos } from '../routes/repos.ts';
import { runSearch } from '../routes/search.ts';
import { runSimilar } from '../routes/similar.ts';
import { runSymbols } from '../routes/symbols.ts';
import {
  type ChunkView,
  ContextQuerySchema,
  ContextResponseSchema,
  MAX_LIMIT,
  MAX_QUERY_CHARS,
  MAX_SNIPPET_CHARS,
  ReposResponseSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  SimilarRequestSchema,
  SymbolsQuerySchema,
  SymbolsResponseSchema,
} from '../schemas.ts';
import { MAX_READ_CHARS, MAX_READ_LINES, readIndexedFile } from './read-file.ts';

export interface ToolContext {
  readonly services: ApiServices;
  readonly caller: Caller;
  readonly facts: RequestFacts;
}

export interface CodeSearchTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: z.ZodObject;
  readonly outputSchema: z.ZodObject;
  run(args: Record<string, unknown>, context: ToolContext): Promise<Record<string, unknown>>;
  render(result: Record<string, unknown>): string;
}

const repo = z.string().min(1).max(201).describe('A repository, `owner/name` as list_repositories shows it.');
const repos = z
  .array(repo)
  .min(1)
  .max(100)
  .describe('Several repositories; use instead of `repo`. Absent: every repository you may read.');
/** Results carry `branch: null` for the default branch, and agents pass results' fields back: null is absent. */
const branch = z
  .string()
  .min(1)
  .max(200)
  .nullable()
  .describe(
    'A branch with its own index (list_repositories shows them); absent or null: the default branch.',
  );
const language = z.enum(LANGUAGES).describe('Only files in this language.');
const pathGlob = z
  .string()
  .min(1)
  .max(512)
  .describe('A path prefix (`src/api/`) or a glob (`src/**/*.ts`, `**/*.{ts,tsx}`).');
const limit = (fallback: number) =>
  z.number().int().min(1).max(MAX_LIMIT).describe(`How many results (default ${fallback}).`);
const filePath = z
  .string()
  .min(1)
  .max(1024)
  .describe('A file path inside the repository, as results show it.');
const line = z.number().int().min(1).max(10_000_000).describe('A 1-based line number.');

/** Only the fields that were given: REST schemas reject unknown and `undefined` fields alike. */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(
      ([key, value]) => value !== undefined && !(key === 'branch' && value === null),
    ),
  );
}

/**
 * Where a chunk is and what it defines, on one line. A member is named once, qualified (`UploadQueue.drain`,
 * not also `drain`), and a container whose members are named is implied by them.
 */
function chunkLine(chunk: ChunkView): string {
  const qualified = chunk.symbols.filter((name) => name.includes('.'));
  const implied = new Set(
    qualified.flatMap((name) => [
      name.slice(name.lastIndexOf('.') + 1),
      name.slice(0, name.lastIndexOf('.')),
    ]),
  );
  const names = chunk.symbols.filter((name) => name.includes('.') || !implied.has(name));
  const symbols = names.length > 0 ? `  ${names.join(', ')}` : '';
  const where = chunk.branch === null ? chunk.repo : `${chunk.repo}@${chunk.branch}`;
  return `${where} ${chunk.path}:${chunk.startLine}-${chunk.endLine}${symbols}`;
}

/** A chunk for the model: where it is, what it defines, and its first lines (the full snippet is structured). */
function renderChunk(chunk: ChunkView, score?: number): string {
  const lines = chunk.snippet.split('\n');
  const shown = lines.slice(0, SNIPPET_LINES_SHOWN).map((text) => `    ${text}`);
  if (lines.length > SNIPPET_LINES_SHOWN) shown.push('    …');
  const scored = score === undefined ? '' : `  (score ${score})`;
  return [`${chunkLine(chunk)}${scored}`, ...shown].join('\n');
}

const SNIPPET_LINES_SHOWN = 12;

function renderResults(result: Record<string, unknown>, empty: string): string {
  const results = (result.results ?? []) as (ChunkView & { score: number })[];
  if (results.length === 0) return empty;
  const more = result.nextCursor ? '\n(more results: call again with `cursor`)' : '';
  return `${results.map((hit, i) => `${i + 1}. ${renderChunk(hit, hit.score)}`).join('\n\n')}${more}`;
}

const searchCode: CodeSearchTool = {
  name: 'search_code',
  title: 'Search code',
  description:
    'Search the indexed repositories in plain language ("where do we retry failed uploads?") or with code ' +
    'and identifiers; returns the best-matching chunks as file paths with line ranges, the symbols they ' +
    'define and a snippet. Start here when you do not know where something is. Narrow with `repo`/`repos`, ' +
    '`language`, `path` (prefix or glob) and `symbol` (chunks defining it). `mode`: hybrid (default, best ' +
    'for questions), vector (meaning only) or keyword (exact words, BM25). Then use get_code_context or ' +
    'read_file on a hit, find_symbol for a name, find_similar_code for code like a hit.',
  inputSchema: z.object({
    query: z.string().min(1).max(MAX_QUERY_CHARS).describe('What to find: a question, a phrase or code.'),
    repo: repo.optional(),
    repos: repos.optional(),
    branch: branch.optional(),
    language: language.optional(),
    path: pathGlob.optional(),
    symbol: z.string().min(1).max(200).optional().describe('Only chunks that define this symbol.'),
    mode: z.enum(SEARCH_MODES).optional().describe('hybrid (default), vector or keyword.'),
    limit: limit(10).optional(),
    cursor: z.string().min(1).max(512).optional().describe('`nextCursor` of the previous call, for more.'),
  }),
  outputSchema: SearchResponseSchema,
  run: async (args, { services, caller, facts }) => {
    if (args.repo !== undefined && args.repos !== undefined)
      throw new InvalidRequestError('Give repo or repos, not both', [
        { path: 'repos', message: 'repo is given too' },
      ]);
    const request = validate(
      SearchRequestSchema,
      defined({ ...args, repos: undefined, repo: args.repos ?? args.repo }),
      'Invalid search_code arguments',
    );
    return runSearch(services, request, caller, facts);
  },
  render: (result) => renderResults(result, 'No results. Try other words, another mode, or fewer filters.'),
};

const findSimilarCode: CodeSearchTool = {
  name: 'find_similar_code',
  title: 'Find similar code',
  description:
    'Find code that looks or works like a snippet you give, or like the code at an indexed location ' +
    '(`repo` + `path` + `line`; that chunk itself is left out). Use it to find duplicates, other ' +
    'implementations of a pattern, or every place that does the same as a search hit. Filter with ' +
    '`repos`, `language`, `path`.',
  inputSchema: z.object({
    snippet: z.string().min(1).max(MAX_SNIPPET_CHARS).optional().describe('Code to find similar code for.'),
    repo: repo.optional().describe('With `path` and `line`: the indexed location to compare with.'),
    path: filePath.optional(),
    line: line.optional(),
    branch: branch
      .optional()
      .describe('The branch of the location and of the code searched (default: the default branch).'),
    repos: repos.optional().describe('Only look in these repositories.'),
    language: language.optional(),
    pathGlob: pathGlob.optional().describe('Only look under this path prefix or glob.'),
    limit: limit(10).optional(),
    cursor: z.string().min(1).max(512).optional().describe('`nextCursor` of the previous call, for more.'),
  }),
  outputSchema: SearchResponseSchema,
  run: async (args, { services, caller, facts }) => {
    const location =
      args.repo === undefined && args.path === undefined && args.line === undefined
        ? undefined
        : defined({ repo: args.repo, branch: args.branch, path: args.path, line: args.line });
    const request = validate(
      SimilarRequestSchema,
      defined({
        snippet: args.snippet,
        location,
        repo: args.repos,
        branch: args.branch,
        language: args.language,
        path: args.pathGlob,
        limit: args.limit,
        cursor: args.cursor,
      }),
      'Invalid find_similar_code arguments',
    );
    return runSimilar(services, request, caller, facts);
  },
  render: (result) => renderResults(result, 'No similar code found.'),
};

const getCodeContext: CodeSearchTool = {
  name: 'get_code_context',
  title: 'Get code context',
  description:
    'The indexed chunk that encloses a line of a file (the whole function or class around it) and the ' +
    'chunks just before and after it. Use it on a search hit to see the surrounding code without reading ' +
    'the whole file; `neighbours` (0-5, default 1) sets how many chunks around it.',
  inputSchema: z.object({
    repo,
    branch: branch.optional(),
    path: filePath,
    line,
    neighbours: z.number().int().min(0).max(5).optional().describe('Chunks before and after (default 1).'),
  }),
  outputSchema: ContextResponseSchema,
  run: async (args, { services, caller, facts }) => {
    // The REST query schema reads numbers from a query string: the same checks, given as text.
    const query = validate(
      ContextQuerySchema,
      defined({
        repo: args.repo,
        branch: args.branch,
        path: args.path,
        line: asQueryNumber(args.line),
        neighbours: asQueryNumber(args.neighbours),
      }),
      'Invalid get_code_context arguments',
    );
    return runContext(services, query, caller, facts);
  },
  render: (result) => {
    const context = result as z.infer<typeof ContextResponseSchema>;
    return [
      `Line ${context.line} of ${context.repo} ${context.path} is in:`,
      renderChunk(context.chunk),
      ...context.before.map((chunk) => `Before: ${chunkLine(chunk)}`),
      ...context.after.map((chunk) => `After: ${chunkLine(chunk)}`),
    ].join('\n');
  },
};

const findSymbol: CodeSearchTool = {
  name: 'find_symbol',
  title: 'Find a symbol',
  description:
    'Where a function, class, method or variable is defined and where it is used, by exact name ' +
    '(`retryUpload`, `UploadQueue.retry`, `parse_args`). Use it when you know the name; use search_code ' +
    'when you only know what it does.',
  inputSchema: z.object({
    name: z.string().min(1).max(200).describe('The symbol, as code writes it.'),
    repo: repo.optional(),
    branch: branch.optional(),
    language: language.optional(),
    limit: limit(20).optional(),
  }),
  outputSchema: SymbolsResponseSchema,
  run: async (args, { services, caller, facts }) => {
    const query = validate(
      SymbolsQuerySchema,
      defined({ ...args, limit: asQueryNumber(args.limit) }),
      'Invalid find_symbol arguments',
    );
    return runSymbols(services, query, caller, facts);
  },
  render: (result) => {
    const found = result as z.infer<typeof SymbolsResponseSchema>;
    const section = (title: string, chunks: readonly ChunkView[]) =>
      chunks.length === 0 ? [`${title}: none`] : [`${title}:`, ...chunks.map((c) => `  ${chunkLine(c)}`)];
    return [...section('Definitions', found.definitions), ...section('Usages', found.usages)].join('\n');
  },
};

const listRepositories: CodeSearchTool = {
  name: 'list_repositories',
  title: 'List repositories',
  description:
    'The repositories you may search, each with its indexed commit, status (ready, indexing, failed), ' +
    'file and chunk counts and indexing errors, and the branches that have an index of their own. Use it ' +
    'to learn the `repo` and `branch` names the other tools take.',
  inputSchema: z.object({}),
  outputSchema: ReposResponseSchema,
  run: async (_args, { services, caller, facts }) => listVisibleRepos(services, caller, facts),
  render: (result) => {
    const { repos } = result as z.infer<typeof ReposResponseSchema>;
    if (repos.length === 0) return 'No repositories are indexed that you may read.';
    return repos
      .map(
        (info) =>
          `${info.repo}${info.branch === null ? '' : ` (branch ${info.branch})`}  ${info.status}  ${info.commit?.slice(0, 12) ?? 'no commit'}  ${info.chunks} chunks`,
      )
      .join('\n');
  },
};

const ReadFileOutputSchema = z.object({
  repo: z.string(),
  branch: z.string().nullable(),
  path: z.string(),
  commit: z.string().nullable(),
  language: z.string(),
  startLine: z.number().int(),
  endLine: z.number().int(),
  lastIndexedLine: z.number().int(),
  text: z.string(),
  nextLine: z.number().int().nullable(),
});

const readFile: CodeSearchTool = {
  name: 'read_file',
  title: 'Read an indexed file',
  description:
    `The indexed text of a file, or of lines \`startLine\`-\`endLine\` of it: at most ${MAX_READ_LINES} ` +
    `lines or ${MAX_READ_CHARS} characters per call (\`nextLine\` says where to go on). Use it to read ` +
    'more than get_code_context shows. Lines between indexed definitions may be empty.',
  inputSchema: z.object({
    repo,
    branch: branch.optional(),
    path: filePath,
    startLine: line.optional().describe('First line (default 1).'),
    endLine: line.optional().describe('Last line (default: the end of the file).'),
  }),
  outputSchema: ReadFileOutputSchema,
  run: async (args, { services, caller }) => {
    const request = validate(
      z
        .object({
          repo: z.string(),
          branch: z.string().optional(),
          path: z.string(),
          startLine: z.number().int().min(1).optional(),
          endLine: z.number().int().min(1).optional(),
        })
        .refine((r) => r.endLine === undefined || r.endLine >= (r.startLine ?? 1), {
          message: 'endLine must not be before startLine',
          path: ['endLine'],
        }),
      defined(args),
      'Invalid read_file arguments',
    );
    return { ...(await readIndexedFile(services.store, caller, await services.repos.commits(), request)) };
  },
  render: (result) => {
    const file = result as z.infer<typeof ReadFileOutputSchema>;
    const width = String(file.endLine).length;
    const numbered = file.text
      .split('\n')
      .map((text, i) => `${String(file.startLine + i).padStart(width)}  ${text}`)
      .join('\n');
    const more = file.nextLine === null ? '' : `\n(cut here: continue with startLine ${file.nextLine})`;
    const where = file.branch === null ? file.repo : `${file.repo}@${file.branch}`;
    return `${where} ${file.path}:${file.startLine}-${file.endLine}\n${numbered}${more}`;
  },
};

/** A number as a query string carries it, for the REST query schemas; anything else as it is. */
function asQueryNumber(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value;
}

/** Every tool, in the order `tools/list` shows them. Names are fixed: agents' configurations rely on them. */
export const CODESEARCH_TOOLS: readonly CodeSearchTool[] = [
  searchCode,
  findSimilarCode,
  getCodeContext,
  findSymbol,
  listRepositories,
  readFile,
];
