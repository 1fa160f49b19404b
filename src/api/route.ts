/**
 * A route of the API as data: method, path template, who may call it, where its input comes from and the
 * zod schema that validates it, and the documented responses. Middleware reads the first four; the OpenAPI
 * document is generated from all of them.
 */
import type { z } from 'zod';
import type { Reindexer, RepoAdmin } from '#engine/repo-catalog.ts';
import type { ChunkStore, Embedder } from '#engine/types.ts';
import type { Caller, Scope } from './auth/caller.ts';
import type { HttpEvent, HttpResult } from './http-types.ts';
import type { ApiLogger } from './middleware/request-log.ts';
import type { RepoDirectory } from './repo-directory.ts';
import type { ResultCache } from './result-cache.ts';

/** What route handlers work with. */
export interface ApiServices {
  readonly store: ChunkStore;
  readonly embedder: Embedder;
  readonly cache: ResultCache;
  readonly repos: RepoDirectory;
  readonly reindexer?: Reindexer;
  /** Registers and removes repositories (`PUT` and `DELETE /repos/{repo}`), where the deployment can. */
  readonly admin?: RepoAdmin;
  /** Where faults inside a route that answers anyway (an MCP tool) are logged. */
  readonly logger?: Pick<ApiLogger, 'error'>;
  /** Issuers whose tokens this deployment accepts, named in the protected-resource metadata. */
  readonly authorizationServers?: readonly string[];
}

/** Facts a handler reports for the request log. */
export interface RequestFacts {
  cacheHit?: boolean;
  resultCount?: number;
}

export interface RouteContext {
  readonly services: ApiServices;
  readonly caller: Caller;
  readonly event: HttpEvent;
  /** Path parameters, already URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly facts: RequestFacts;
}

export interface RouteResponseDoc {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** @default "application/json" */
  readonly contentType?: string;
}

export interface Route<Input = unknown> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path, with `{name}` for a parameter; a parameter may contain `/` (repository names do). */
  readonly path: string;
  readonly summary: string;
  /** `public`: no token needed. Otherwise the scope a token must carry. */
  readonly access: 'public' | Scope;
  readonly input?: { readonly from: 'body' | 'query'; readonly schema: z.ZodType<Input, unknown> };
  readonly responses: Readonly<Record<number, RouteResponseDoc>>;
  handle(input: Input, context: RouteContext): Promise<HttpResult>;
}

/** Keeps a route's input type checked against its schema while storing routes in one list. */
export function defineRoute<Input>(route: Route<Input>): Route {
  return route as unknown as Route;
}
