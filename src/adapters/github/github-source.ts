/**
 * The engine's `SourceHost` over GitHub's REST API: the repository (`GET /repos/{owner}/{repo}`), branch heads (`git/ref`), recursive trees (`git/trees`),
 * blobs by id (`git/blobs`, base64) and single files at a commit (`contents`, base64 up to 1 MB).
 *
 * A recursive tree listing is one request unless GitHub truncates it (over 100,000 entries or 7 MB); then the
 * tree is walked one directory per request instead.
 */
import { PermanentJobError } from '#engine/pipeline/errors.ts';
import type { HostedFile, HostedRepo, SourceHost, TreeFile } from '#engine/pipeline/ports.ts';
import type { GitHubApi } from './github-api.ts';

interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

interface TreeResponse {
  sha: string;
  tree: TreeEntry[];
  truncated: boolean;
}

interface BlobResponse {
  sha: string;
  size: number;
  content: string;
  encoding: 'base64' | 'utf-8' | string;
}

interface ContentsFile {
  type: 'file' | 'symlink' | 'submodule' | 'dir';
  sha: string;
  size: number;
  path: string;
  content?: string;
  encoding?: 'base64' | 'none' | string;
}

export class GitHubSource implements SourceHost {
  readonly #api: GitHubApi;

  constructor(api: GitHubApi) {
    this.#api = api;
  }

  async describeRepo(repo: string): Promise<HostedRepo> {
    const found = await this.#api.getJson<{ full_name: string; default_branch: string }>(`/repos/${repo}`);
    if (!found?.full_name || !found.default_branch)
      throw new PermanentJobError(`${repo}: GitHub did not name the repository or its default branch`);
    return { fullName: found.full_name, defaultBranch: found.default_branch };
  }

  async resolveCommit(repo: string, branch: string): Promise<string> {
    const ref = await this.#api.getJson<{ object: { sha: string; type: string } }>(
      `/repos/${repo}/git/ref/heads/${encodePath(branch)}`,
    );
    if (ref?.object.type !== 'commit') throw new PermanentJobError(`${repo}: branch ${branch} not found`);
    return ref.object.sha;
  }

  async listTree(repo: string, commit: string): Promise<TreeFile[]> {
    const root = await this.#tree(repo, commit, true);
    if (!root.truncated) return filesOf(root.tree, '');
    return this.#walk(repo, root.sha, '');
  }

  async readBlob(repo: string, sha: string): Promise<Uint8Array> {
    const blob = (await this.#api.getJson<BlobResponse>(`/repos/${repo}/git/blobs/${sha}`)) as BlobResponse;
    return decodeContent(blob.content, blob.encoding, `${repo} blob ${sha}`);
  }

  async readFile(repo: string, commit: string, path: string): Promise<HostedFile | undefined> {
    const found = await this.#api.getJson<ContentsFile | ContentsFile[]>(
      `/repos/${repo}/contents/${encodePath(path)}?ref=${commit}`,
      { notFound: 'undefined' },
    );
    if (!found || Array.isArray(found) || found.type === 'dir') return undefined;
    const kind = found.type === 'file' ? 'file' : found.type;
    // Files over 1 MB come back with encoding "none" and no content: the caller skips them by size.
    const bytes =
      kind === 'file' && found.encoding === 'base64' && found.content !== undefined
        ? decodeContent(found.content, 'base64', `${repo}:${path}`)
        : undefined;
    return { sha: found.sha, size: found.size, kind, bytes };
  }

  async #tree(repo: string, sha: string, recursive: boolean): Promise<TreeResponse> {
    return (await this.#api.getJson<TreeResponse>(
      `/repos/${repo}/git/trees/${sha}${recursive ? '?recursive=1' : ''}`,
    )) as TreeResponse;
  }

  async #walk(repo: string, sha: string, prefix: string): Promise<TreeFile[]> {
    const tree = await this.#tree(repo, sha, false);
    const files = filesOf(tree.tree, prefix);
    for (const entry of tree.tree) {
      if (entry.type === 'tree')
        files.push(...(await this.#walk(repo, entry.sha, `${prefix}${entry.path}/`)));
    }
    return files;
  }
}

function filesOf(entries: readonly TreeEntry[], prefix: string): TreeFile[] {
  const files: TreeFile[] = [];
  for (const entry of entries) {
    if (entry.type === 'tree') continue;
    const kind = entry.type === 'commit' ? 'submodule' : entry.mode === '120000' ? 'symlink' : 'file';
    files.push({ path: `${prefix}${entry.path}`, sha: entry.sha, size: entry.size ?? 0, kind });
  }
  return files;
}

function decodeContent(content: string, encoding: string, what: string): Uint8Array {
  if (encoding === 'base64') return Buffer.from(content, 'base64'); // GitHub wraps base64 at 60 columns; Node skips the newlines
  if (encoding === 'utf-8') return Buffer.from(content, 'utf8');
  throw new PermanentJobError(`${what}: unsupported content encoding ${encoding}`);
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
