import { join } from 'node:path';
import { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { createRepoDirectory } from '#api/repo-directory.ts';
import { SearchRequestSchema, type SearchResponse } from '#api/schemas.ts';
import { runSearch } from '#api/search-api.ts';
import { InvalidRequestError } from '#engine/errors.ts';
import { openLocalServices } from '../runtime/local-services.ts';

export interface SearchCommandOptions {
  readonly home?: string;
  readonly model?: string;
  readonly repo: string[];
  readonly branch?: string;
  readonly lang?: string;
  readonly path?: string;
  readonly symbol?: string;
  readonly mode: string;
  readonly limit: number;
  readonly json?: boolean;
}

export async function runSearchCommand(
  query: string,
  options: SearchCommandOptions,
): Promise<SearchResponse> {
  // The CLI goes through the same request schema as the HTTP API, so both accept and reject the same input.
  const parsed = SearchRequestSchema.safeParse({
    query,
    repo: options.repo.length > 0 ? options.repo : undefined,
    branch: options.branch,
    language: options.lang,
    path: options.path,
    symbol: options.symbol,
    mode: options.mode,
    limit: options.limit,
  });
  if (!parsed.success) {
    throw new InvalidRequestError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
    );
  }
  const services = await openLocalServices({ home: options.home, modelDir: options.model });
  let catalog: SqliteRepoCatalog | undefined;
  try {
    // The catalogue knows the commit each repository was indexed at; results carry it, as from the API.
    catalog = await SqliteRepoCatalog.open(join(services.home, 'state.sqlite'));
    const repos = createRepoDirectory(services.store, catalog);
    const response = await runSearch({ ...services, repos }, parsed.data);
    process.stdout.write(options.json ? `${JSON.stringify(response, null, 2)}\n` : formatResults(response));
    return response;
  } finally {
    catalog?.close();
    await services.close();
  }
}

function formatResults(response: SearchResponse): string {
  if (response.results.length === 0) return `No results (${response.tookMs} ms).\n`;
  const tty = process.stdout.isTTY;
  const bold = (s: string) => (tty ? `\u001b[1m${s}\u001b[22m` : s);
  const dim = (s: string) => (tty ? `\u001b[2m${s}\u001b[22m` : s);
  const blocks = response.results.map((r, i) => {
    const symbols = r.symbols.length > 0 ? `  ${r.symbols.slice(0, 5).join(', ')}` : '';
    const preview = r.snippet
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .slice(0, 4)
      .map((line) => dim(`    ${line.slice(0, 120)}`))
      .join('\n');
    const where = r.branch === null ? r.repo : `${r.repo}@${r.branch}`;
    return `${i + 1}. ${bold(`${r.path}:${r.startLine}-${r.endLine}`)}  [${where}] score ${r.score}${symbols}\n${preview}`;
  });
  return `${blocks.join('\n')}\n${dim(`${response.results.length} results in ${response.tookMs} ms`)}\n`;
}
