/**
 * SQL text for LanceDB filters. LanceDB takes filters as SQL strings with no bound parameters, so every value
 * is validated by the engine first (see `#engine/search/filters.ts`) and quoted here; column names are
 * constants of this module, never input.
 */
import {
  canonicalRepoName,
  globToRegExpSource,
  indexNameOf,
  type SearchFilter,
} from '#engine/search/filters.ts';
import type { RepoAccess } from '#engine/search/repo-access.ts';

/**
 * A repository name as a SQL literal, in its canonical spelling: the `repo` column holds nothing else, so a
 * caller's other spelling of the same repository still finds it (and never another).
 */
export function sqlRepo(repo: string): string {
  return sqlString(canonicalRepoName(repo));
}

/** A SQL string literal: single quotes doubled, NUL (which no valid value holds) refused. */
export function sqlString(value: string): string {
  if (value.includes('\u0000')) throw new Error('NUL byte in a SQL string value');
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlStringList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(', ')})`;
}

/**
 * The WHERE clause for a search filter, or undefined for "everything".
 *
 * @param options.branchIndexes - whether the table may hold branch indexes (`owner/name@branch`): only then
 *   does a search of every repository's default branch need a clause to leave them out (a clause costs a
 *   vector search its unfiltered path). When unsure, true.
 */
export function filterToSql(
  filter: SearchFilter,
  options: { readonly branchIndexes: boolean } = { branchIndexes: true },
): string | undefined {
  const clauses: string[] = [];
  if (filter.access) {
    const access = accessToSql(filter.access);
    if (access) clauses.push(access);
  }
  if (filter.repos && filter.repos.length > 0)
    clauses.push(`repo IN ${sqlStringList(filter.repos.map((repo) => indexNameOf(repo, filter.branch)))}`);
  // Without named repositories: every repository's index of that branch, or of its default branch.
  else if (filter.branch !== undefined) clauses.push(`ends_with(repo, ${sqlString(`@${filter.branch}`)})`);
  else if (options.branchIndexes) clauses.push(DEFAULT_BRANCHES_SQL);
  if (filter.language) clauses.push(`language = ${sqlString(filter.language)}`);
  if (filter.path?.kind === 'prefix') clauses.push(`starts_with(path, ${sqlString(filter.path.prefix)})`);
  if (filter.path?.kind === 'glob')
    clauses.push(`regexp_like(path, ${sqlString(globToRegExpSource(filter.path.glob))})`);
  if (filter.symbol) clauses.push(`array_has(symbols, ${sqlString(filter.symbol)})`);
  return clauses.length > 0 ? clauses.join(' AND ') : undefined;
}

/** Rows of default-branch indexes (a plain repository name); its negation finds branch indexes. */
export const DEFAULT_BRANCHES_SQL = `strpos(repo, '@') = 0`;
export const BRANCH_INDEXES_SQL = `strpos(repo, '@') > 0`;

/** Rows of these paths in this repository. */
export function pathsInRepoSql(repo: string, paths: readonly string[]): string {
  return `repo = ${sqlRepo(repo)} AND path IN ${sqlStringList(paths)}`;
}

/**
 * The caller's grant as a clause of its own, ANDed with everything else: named repositories, or any
 * repository whose name starts with `owner/`. An empty grant matches nothing (`FALSE`), never everything.
 */
export function accessToSql(access: RepoAccess): string | undefined {
  if (access.kind === 'all') return undefined;
  const alternatives: string[] = [];
  if (access.repos.length > 0)
    alternatives.push(`repo IN ${sqlStringList(access.repos.map(canonicalRepoName))}`);
  // A repository's grant covers its branches' indexes (`owner/name@branch`).
  for (const repo of access.repos)
    alternatives.push(`starts_with(repo, ${sqlString(`${canonicalRepoName(repo)}@`)})`);
  for (const owner of access.owners)
    alternatives.push(`starts_with(repo, ${sqlString(`${owner.toLowerCase()}/`)})`);
  return alternatives.length > 0 ? `(${alternatives.join(' OR ')})` : 'FALSE';
}

/** One file's rows. */
export function fileSql(repo: string, path: string): string {
  return `repo = ${sqlRepo(repo)} AND path = ${sqlString(path)}`;
}
