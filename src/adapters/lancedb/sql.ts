/**
 * SQL text for LanceDB filters. LanceDB takes filters as SQL strings with no bound parameters, so every value
 * is validated by the engine first (see `#engine/search/filters.ts`) and quoted here; column names are
 * constants of this module, never input.
 */
import { globToRegExpSource, type SearchFilter } from '#engine/search/filters.ts';

/** A SQL string literal: single quotes doubled, NUL (which no valid value holds) refused. */
export function sqlString(value: string): string {
  if (value.includes('\u0000')) throw new Error('NUL byte in a SQL string value');
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlStringList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(', ')})`;
}

/** The WHERE clause for a search filter, or undefined for "everything". */
export function filterToSql(filter: SearchFilter): string | undefined {
  const clauses: string[] = [];
  if (filter.repos && filter.repos.length > 0) clauses.push(`repo IN ${sqlStringList(filter.repos)}`);
  if (filter.language) clauses.push(`language = ${sqlString(filter.language)}`);
  if (filter.path?.kind === 'prefix') clauses.push(`starts_with(path, ${sqlString(filter.path.prefix)})`);
  if (filter.path?.kind === 'glob')
    clauses.push(`regexp_like(path, ${sqlString(globToRegExpSource(filter.path.glob))})`);
  return clauses.length > 0 ? clauses.join(' AND ') : undefined;
}

/** Rows of these paths in this repository. */
export function pathsInRepoSql(repo: string, paths: readonly string[]): string {
  return `repo = ${sqlString(repo)} AND path IN ${sqlStringList(paths)}`;
}
