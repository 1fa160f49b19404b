/**
 * Which repositories a caller may read, as a value the search filter carries all the way into the store's
 * WHERE clause. Permission is therefore part of every query: a chunk of a repository outside the grant can
 * never come back, whatever else the request asks for.
 *
 * Grants are written as `owner/name` (one repository), `name` (a repository without an owner), `owner/*`
 * (everything of an owner or organisation) or `*` (everything), in any case: they are kept, and compared, in
 * the canonical lower-case spelling of repository names (`canonicalRepoName`), as everything else is.
 */
import { InvalidFilterError } from '../errors.ts';
import { canonicalRepoName, splitIndexName, validateRepoName } from './filters.ts';

export type RepoAccess =
  | { readonly kind: 'all' }
  | { readonly kind: 'some'; readonly repos: readonly string[]; readonly owners: readonly string[] };

export const ALL_REPOS: RepoAccess = { kind: 'all' };

const MAX_GRANTS = 200;
const OWNER = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Parses grant patterns; throws `InvalidFilterError` on anything that is not one of the four forms.
 *
 * @example
 * parseRepoGrants(['acme/*', 'other/tool']) // { kind: 'some', repos: ['other/tool'], owners: ['acme'] }
 */
export function parseRepoGrants(patterns: readonly string[], field = 'repos'): RepoAccess {
  if (patterns.length > MAX_GRANTS) {
    throw new InvalidFilterError(`${field}: at most ${MAX_GRANTS} repository grants`, [
      { path: field, message: `at most ${MAX_GRANTS} grants` },
    ]);
  }
  const repos = new Set<string>();
  const owners = new Set<string>();
  for (const [i, pattern] of patterns.entries()) {
    if (pattern === '*') return ALL_REPOS;
    if (pattern.endsWith('/*')) {
      const owner = pattern.slice(0, -2);
      if (!OWNER.test(owner) || owner === '.' || owner === '..') {
        throw new InvalidFilterError(`${field}[${i}]: "${owner}" is not an owner name`, [
          { path: `${field}[${i}]`, message: 'expected owner/* with letters, digits, "-", "_" and "."' },
        ]);
      }
      owners.add(owner.toLowerCase());
    } else {
      repos.add(validateRepoName(pattern, `${field}[${i}]`));
    }
  }
  return { kind: 'some', repos: [...repos].sort(), owners: [...owners].sort() };
}

/**
 * Whether the grant covers `repo` (in any spelling: it is compared canonically). A grant for a repository
 * covers its branches: `owner/name@branch` is read as `owner/name`.
 */
export function accessAllows(access: RepoAccess, repo: string): boolean {
  if (access.kind === 'all') return true;
  const name = splitIndexName(canonicalRepoName(repo)).repo;
  if (access.repos.includes(name)) return true;
  const slash = name.indexOf('/');
  return slash > 0 && access.owners.includes(name.slice(0, slash));
}

/** A canonical string for the grant: equal grants give equal strings (result-cache keys depend on it). */
export function describeAccess(access: RepoAccess): string {
  if (access.kind === 'all') return '*';
  return [...access.repos, ...access.owners.map((owner) => `${owner}/*`)].join(',');
}
