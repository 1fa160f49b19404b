/**
 * `codesearch repos add|remove` against a deployed API: `PUT` and `DELETE /repos/{repo}` with an admin token,
 * so an operator registers or removes a repository without touching DynamoDB. The API's URL and the token come
 * from options or the environment (`CODESEARCH_API_URL`, `CODESEARCH_TOKEN`): a token on the command line
 * would land in the shell's history.
 */
import { ConfigError, InvalidRequestError } from '#engine/errors.ts';
import { validateBranchName, validateRepoName } from '#engine/search/filters.ts';

export interface ReposCommandOptions {
  readonly api?: string;
  readonly branch?: readonly string[];
  readonly json?: boolean;
}

export async function runReposCommand(
  action: 'add' | 'remove',
  name: string,
  options: ReposCommandOptions,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, unknown>> {
  const repo = validateRepoName(name, 'repository');
  const branches = (options.branch ?? []).map((branch) => validateBranchName(branch, '--branch'));
  const base = options.api ?? environment.CODESEARCH_API_URL;
  if (!base)
    throw new ConfigError('Give the API with --api URL or CODESEARCH_API_URL (the stack’s ApiUrl output)');
  const token = environment.CODESEARCH_TOKEN;
  if (!token)
    throw new ConfigError('Set CODESEARCH_TOKEN to an admin token (codesearch token create --scope admin)');
  let url: URL;
  try {
    url = new URL(`repos/${repo}`, base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new InvalidRequestError(`--api: ${base} is not a URL`);
  }
  const response = await fetch(url, {
    method: action === 'add' ? 'PUT' : 'DELETE',
    headers: {
      authorization: `Bearer ${token}`,
      ...(action === 'add' ? { 'content-type': 'application/json' } : {}),
    },
    ...(action === 'add' ? { body: JSON.stringify({ branches }) } : {}),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new InvalidRequestError(
      `${action === 'add' ? 'PUT' : 'DELETE'} ${url.pathname}: ${response.status} ${String(body.error ?? response.statusText)}`,
    );
  }
  process.stdout.write(
    options.json
      ? `${JSON.stringify(body, null, 2)}\n`
      : action === 'add'
        ? `Registered ${repo}${branches.length > 0 ? ` with ${branches.join(', ')}` : ''}; its first index has started\n`
        : `Removing ${((body.indexes as string[] | undefined) ?? [repo]).join(', ')}\n`,
  );
  return body;
}
