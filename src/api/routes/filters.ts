/**
 * From request fields to the engine's validated `SearchFilter`, with the caller's grant built in: naming a
 * repository the caller may not read is a 403; otherwise the grant rides along into the store's WHERE clause.
 */

import type { Language } from '#engine/languages.ts';
import {
  parsePathFilter,
  type SearchFilter,
  validateBranchName,
  validateRepos,
  validateSymbolName,
} from '#engine/search/filters.ts';
import { type Caller, requireRepos } from '../auth/caller.ts';

export interface FilterFields {
  readonly repo?: string | readonly string[];
  readonly branch?: string;
  readonly language?: Language;
  readonly path?: string;
  readonly symbol?: string;
}

export function toSearchFilter(fields: FilterFields, caller: Caller): SearchFilter {
  const repos =
    fields.repo === undefined
      ? undefined
      : validateRepos(typeof fields.repo === 'string' ? [fields.repo] : fields.repo);
  if (repos) requireRepos(caller, repos);
  return {
    repos,
    ...(fields.branch === undefined ? {} : { branch: validateBranchName(fields.branch) }),
    language: fields.language,
    path: fields.path === undefined ? undefined : parsePathFilter(fields.path),
    symbol: fields.symbol === undefined ? undefined : validateSymbolName(fields.symbol),
    access: caller.access.kind === 'all' ? undefined : caller.access,
  };
}

/** The filter in a canonical form, for cache keys and cursor fingerprints. */
export function filterKey(filter: SearchFilter): unknown {
  return {
    repos: filter.repos ? [...filter.repos].sort() : null,
    branch: filter.branch ?? null,
    language: filter.language ?? null,
    path: filter.path ?? null,
    symbol: filter.symbol ?? null,
  };
}
