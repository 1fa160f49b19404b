/**
 * `GET /repos` (what the caller may see), and with the admin scope `POST /repos/{repo}/reindex`,
 * `PUT /repos/{repo}` (register) and `DELETE /repos/{repo}` (remove with all its data).
 */
import { ConflictError, NotFoundError } from '#engine/errors.ts';
import { indexNameOf, validateBranchName, validateRepoName } from '#engine/search/filters.ts';
import { accessAllows } from '#engine/search/repo-access.ts';
import { type Caller, requireRepos } from '../auth/caller.ts';
import { jsonResult } from '../http-types.ts';
import { type ApiServices, defineRoute, type RequestFacts } from '../route.ts';
import {
  ErrorResponseSchema,
  type RegisterRepoRequest,
  RegisterRepoRequestSchema,
  RegisterRepoResponseSchema,
  type ReindexRequest,
  ReindexRequestSchema,
  ReindexResponseSchema,
  RemoveRepoResponseSchema,
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
  summary:
    'Re-index a repository (admin scope), or one of its branch indexes with `{ "branch": "…" }`. The repository name may be URL-encoded (acme%2Fapp).',
  access: 'admin',
  input: { from: 'body', schema: ReindexRequestSchema },
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
  handle: async (request: ReindexRequest, { services, caller, params }) => {
    const repo = validateRepoName(params.repo ?? '', 'repo');
    const branch = request.branch === undefined ? undefined : validateBranchName(request.branch);
    requireRepos(caller, [repo]);
    const index = indexNameOf(repo, branch);
    if (!services.reindexer) {
      const known = (await services.repos.list()).some(
        (info) => info.repo === repo && info.branch === (branch ?? null),
      );
      if (!known) throw new NotFoundError(`Repository ${index} is not in the index`);
      throw new ConflictError(
        'Re-indexing is not available in this deployment: it has no re-indexer configured',
      );
    }
    await services.reindexer.reindex(index);
    return jsonResult(202, { repo, branch: branch ?? null, status: 'indexing' });
  },
});

const ADMIN_RESPONSES = {
  403: { description: 'Not an admin token, or the repository is not granted.', schema: ErrorResponseSchema },
  409: {
    description: 'This deployment cannot register or remove repositories.',
    schema: ErrorResponseSchema,
  },
};

export const registerRepoRoute = defineRoute({
  method: 'PUT',
  path: '/repos/{repo}',
  summary:
    'Register a repository for indexing (admin scope), with the branches to index besides the default one; its first index starts at once.',
  access: 'admin',
  input: { from: 'body', schema: RegisterRepoRequestSchema },
  responses: {
    202: { description: 'Registered; GET /repos shows the first index.', schema: RegisterRepoResponseSchema },
    400: { description: 'Invalid repository or branch names.', schema: ErrorResponseSchema },
    ...ADMIN_RESPONSES,
  },
  handle: async (request: RegisterRepoRequest, { services, caller, params }) => {
    const repo = validateRepoName(params.repo ?? '', 'repo');
    const branches = [
      ...new Set((request.branches ?? []).map((b, i) => validateBranchName(b, `branches[${i}]`))),
    ];
    requireRepos(caller, [repo]);
    if (!services.admin)
      throw new ConflictError(
        'This deployment cannot register repositories: index them with codesearch index',
      );
    await services.admin.register(repo, branches);
    return jsonResult(202, { repo, branches, status: 'indexing' });
  },
});

export const removeRepoRoute = defineRoute({
  method: 'DELETE',
  path: '/repos/{repo}',
  summary:
    'Remove a repository (admin scope): unregister it and delete every index it has — chunks, file hashes, state.',
  access: 'admin',
  responses: {
    202: { description: 'Being removed; it is gone from GET /repos.', schema: RemoveRepoResponseSchema },
    404: { description: 'Not registered and not indexed.', schema: ErrorResponseSchema },
    ...ADMIN_RESPONSES,
  },
  handle: async (_input, { services, caller, params }) => {
    const repo = validateRepoName(params.repo ?? '', 'repo');
    requireRepos(caller, [repo]);
    if (!services.admin) throw new ConflictError('This deployment cannot remove repositories');
    const indexes = await services.admin.remove(repo);
    return jsonResult(202, { repo, indexes: [...indexes], status: 'removing' });
  },
});
