/** `GET /repos` (what the caller may see) and `POST /repos/{repo}/reindex` (admin scope). */
import { ConflictError, NotFoundError } from '#engine/errors.ts';
import { validateRepoName } from '#engine/search/filters.ts';
import { accessAllows } from '#engine/search/repo-access.ts';
import { type Caller, requireRepos } from '../auth/caller.ts';
import { jsonResult } from '../http-types.ts';
import { type ApiServices, defineRoute, type RequestFacts } from '../route.ts';
import {
  ErrorResponseSchema,
  ReindexResponseSchema,
  type RepoInfo,
  ReposResponseSchema,
} from '../schemas.ts';

export const reposRoute = defineRoute({
  method: 'GET',
  path: '/repos',
  summary: 'The repositories this token may search, with commit, indexing time, counts and errors.',
  access: 'search',
  responses: { 200: { description: 'Repositories by name.', schema: ReposResponseSchema } },
  handle: async (_input, { services, caller, facts }) =>
    jsonResult(200, await listVisibleRepos(services, caller, facts)),
});

/** The repositories `caller` may see (the route and the MCP tool `list_repositories` alike). */
export async function listVisibleRepos(
  services: Pick<ApiServices, 'repos'>,
  caller: Caller,
  facts: RequestFacts = {},
): Promise<{ repos: RepoInfo[] }> {
  const repos = (await services.repos.list()).filter((repo) => accessAllows(caller.access, repo.repo));
  facts.resultCount = repos.length;
  return { repos };
}

export const reindexRoute = defineRoute({
  method: 'POST',
  path: '/repos/{repo}/reindex',
  summary: 'Re-index a repository (admin scope). The repository name may be URL-encoded (acme%2Fapp).',
  access: 'admin',
  responses: {
    202: {
      description: 'Re-indexing started; GET /repos shows its progress.',
      schema: ReindexResponseSchema,
    },
    403: {
      description: 'Not an admin token, or the repository is not granted.',
      schema: ErrorResponseSchema,
    },
    404: {
      description: 'Unknown repository: not indexed (and, with a repository registry, not registered).',
      schema: ErrorResponseSchema,
    },
    409: { description: 'Cannot re-index here, or already re-indexing.', schema: ErrorResponseSchema },
    415: {
      description:
        'Not sent with content-type application/json. The body may be empty (or `{}`), but a POST must be JSON: a web page cannot send one across origins without the preflight this API never grants.',
      schema: ErrorResponseSchema,
    },
  },
  handle: async (_input, { services, caller, params }) => {
    const repo = validateRepoName(params.repo ?? '', 'repo');
    requireRepos(caller, [repo]);
    if (!services.reindexer) {
      const known = (await services.repos.list()).some((info) => info.repo === repo);
      if (!known) throw new NotFoundError(`Repository ${repo} is not in the index`);
      throw new ConflictError(
        'Re-indexing is not available in this deployment: it has no re-indexer configured',
      );
    }
    await services.reindexer.reindex(repo);
    return jsonResult(202, { repo, status: 'indexing' });
  },
});
