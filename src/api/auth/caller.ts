/**
 * Who is asking, and what they may do: the result of authentication that every route receives. Checks here
 * are the 403 side of permissions; the query filter (`SearchFilter.access`) is the side that guarantees no
 * foreign result can come back.
 */
import { ALL_REPOS, accessAllows, type RepoAccess } from '#engine/search/repo-access.ts';
import { ForbiddenError } from '../errors.ts';

export const SCOPES = ['search', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Caller {
  /** The token's subject, or "local" when auth is off. */
  readonly sub: string;
  readonly access: RepoAccess;
  readonly scopes: readonly Scope[];
  /** True when no credentials were checked (loopback `serve` without --auth). */
  readonly anonymous: boolean;
}

/** The caller of an API that runs without auth: the loopback dev server, the CLI. */
export const LOCAL_CALLER: Caller = { sub: 'local', access: ALL_REPOS, scopes: [...SCOPES], anonymous: true };

/** The caller of a public route: may read nothing, holds no scope. */
export const NOBODY: Caller = {
  sub: 'anonymous',
  access: { kind: 'some', repos: [], owners: [] },
  scopes: [],
  anonymous: true,
};

export function requireScope(caller: Caller, scope: Scope): void {
  if (!caller.scopes.includes(scope)) {
    throw new ForbiddenError(`This token lacks the "${scope}" scope`);
  }
}

/** Asking for a repository by name that the caller may not read is refused outright, not silently emptied. */
export function requireRepos(caller: Caller, repos: readonly string[]): void {
  const forbidden = repos.filter((repo) => !accessAllows(caller.access, repo));
  if (forbidden.length > 0) {
    throw new ForbiddenError(`This token does not grant access to ${forbidden.join(', ')}`);
  }
}
