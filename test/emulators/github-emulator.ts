/**
 * GitHub's REST API for tests: a local HTTP server over in-memory repositories, answering the endpoints the
 * indexer uses with GitHub's response shapes — the repository (name as first committed, default branch = the
 * first branch committed to), git refs, recursive trees (with `truncated`), blobs in base64
 * wrapped at 60 columns, `contents` (base64 up to 1 MB, `encoding: "none"` above), 404 bodies — and its
 * rate-limit headers on every response. Faults come from a plan: 5xx, secondary limits (403 + Retry-After),
 * primary limits (403 + `x-ratelimit-remaining: 0`). Blob ids are real git blob ids.
 *
 * Besides its fixed token it can stand in for one GitHub App installation: `POST /app/installations/{id}/
 * access_tokens` checks the app JWT as GitHub does (RS256 signature by the app's key, `iss` the App ID, `iat`
 * not ahead, `exp` at most 10 minutes ahead) and issues installation tokens that the repository endpoints
 * accept until they expire, by the emulator's clock.
 */
import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { type Fault, type FaultPlan, NO_FAULTS } from './faults.ts';

export type FileSpec =
  | string
  | { readonly content: string | Uint8Array; readonly mode?: '100644' | '100755' | '120000' };

interface Blob {
  readonly sha: string;
  readonly content: Buffer;
}

interface TreeEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: 'blob' | 'tree';
  readonly sha: string;
  readonly size?: number;
}

interface FakeRepo {
  /** `owner/name` as first spelled by `commit` (GitHub's `full_name`). */
  readonly fullName: string;
  defaultBranch: string | undefined;
  readonly blobs: Map<string, Blob>;
  readonly trees: Map<string, TreeEntry[]>;
  /** commit sha → root tree sha and the flat file map */
  readonly commits: Map<string, { tree: string; files: Map<string, { sha: string; mode: string }> }>;
  readonly branches: Map<string, string>;
}

/** The one GitHub App installation the emulator knows. */
export interface EmulatedGitHubApp {
  readonly appId: string;
  readonly installationId: string;
  /** The app's public key: app JWTs must be signed by its private half. */
  readonly publicKey: KeyObject;
  /** Lifetime of an installation token. @default one hour (GitHub's) */
  readonly tokenTtlMs?: number;
}

export interface GitHubEmulatorOptions {
  readonly token?: string;
  readonly app?: EmulatedGitHubApp;
  /** The clock of JWT checks and token expiry (tests move it to expire tokens). @default Date.now */
  readonly now?: () => number;
  readonly faults?: FaultPlan;
  /** Recursive tree listings longer than this come back `truncated: true`. @default 100_000 (GitHub's) */
  readonly truncateTreesOver?: number;
}

export interface GitHubEmulator {
  readonly url: string;
  readonly token: string;
  /** Every request as "METHOD /path?query", in order. */
  readonly requests: string[];
  /** Commits `files` as the new state of the branch (whole tree) and returns the commit id. */
  commit(repo: string, branch: string, files: Record<string, FileSpec>): string;
  /** Commits changes on top of the branch head: `null` deletes a path. */
  change(
    repo: string,
    branch: string,
    changes: Record<string, FileSpec | null>,
  ): { before: string; after: string };
  head(repo: string, branch: string): string;
  filesAt(repo: string, commit: string): Map<string, string>;
  setFaults(plan: FaultPlan): void;
  /** Revokes every installation token issued so far, as an app's `DELETE /installation/token` would. */
  revokeInstallationTokens(): void;
  stop(): Promise<void>;
}

/** GitHub's answer to exceeding a secondary rate limit. */
export function secondaryRateLimit(retryAfterSeconds: number): Fault {
  return {
    status: 403,
    code: 'secondary-rate-limit',
    message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    headers: { 'retry-after': String(retryAfterSeconds) },
  };
}

/** GitHub's answer once the hourly quota is spent. */
export function primaryRateLimit(resetInSeconds: number): Fault {
  return {
    status: 403,
    code: 'primary-rate-limit',
    message: 'API rate limit exceeded for user ID 1.',
    headers: {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
    },
  };
}

export const SERVER_ERROR: Fault = { status: 502, code: 'bad-gateway', message: 'Server Error' };

export function gitBlobSha(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const token = options.token ?? 'emulator-test-token-not-a-real-one';
  const now = options.now ?? Date.now;
  /** Installation token → when it expires (epoch ms). */
  const installationTokens = new Map<string, number>();
  const isAccepted = (authorization: string | undefined): boolean => {
    if (authorization === `Bearer ${token}`) return true;
    const expiresAt = installationTokens.get(authorization?.replace(/^Bearer /, '') ?? '');
    return expiresAt !== undefined && now() < expiresAt;
  };
  const repos = new Map<string, FakeRepo>();
  const requests: string[] = [];
  let faults = options.faults ?? NO_FAULTS;
  let remaining = 5000;
  const resetAt = Math.floor(Date.now() / 1000) + 3600;

  const repoOf = (name: string): FakeRepo => {
    let repo = repos.get(name.toLowerCase());
    if (!repo) {
      repo = {
        fullName: name,
        defaultBranch: undefined,
        blobs: new Map(),
        trees: new Map(),
        commits: new Map(),
        branches: new Map(),
      };
      repos.set(name.toLowerCase(), repo);
    }
    return repo;
  };

  const commitFiles = (name: string, branch: string, files: Record<string, FileSpec>): string => {
    const repo = repoOf(name);
    const flat = new Map<string, { sha: string; mode: string }>();
    for (const [path, spec] of Object.entries(files)) {
      const content = Buffer.from(typeof spec === 'string' ? spec : spec.content);
      const sha = gitBlobSha(content);
      repo.blobs.set(sha, { sha, content });
      flat.set(path, { sha, mode: typeof spec === 'string' ? '100644' : (spec.mode ?? '100644') });
    }
    const tree = buildTrees(repo, flat);
    const commit = randomBytes(20).toString('hex');
    repo.commits.set(commit, { tree, files: flat });
    repo.branches.set(branch, commit);
    repo.defaultBranch ??= branch;
    return commit;
  };

  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    remaining = Math.max(0, remaining - 1);
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(resetAt),
      'x-ratelimit-used': String(5000 - remaining),
      'x-ratelimit-resource': 'core',
    };
    const fault = faults.decide({ method: req.method ?? 'GET', path: req.url ?? '/' });
    if (fault)
      return send(
        res,
        fault.status,
        { message: fault.message, documentation_url: 'https://docs.github.com/rest' },
        { ...headers, ...fault.headers },
      );
    const installation = /^\/app\/installations\/([^/?]+)\/access_tokens(?:\?|$)/.exec(req.url ?? '');
    if (installation && req.method === 'POST') {
      void issueInstallationToken(req.headers.authorization, installation[1] as string).then((answer) =>
        send(res, answer.status, answer.body, headers),
      );
      return;
    }
    if (!isAccepted(req.headers.authorization))
      return send(
        res,
        401,
        { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
        headers,
      );
    const answer = route(req, repos);
    send(res, answer.status, answer.body, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    requests,
    commit: commitFiles,
    change(name, branch, changes) {
      const before = repoOf(name).branches.get(branch);
      const current = before ? (repoOf(name).commits.get(before)?.files ?? new Map()) : new Map();
      const files: Record<string, FileSpec> = {};
      for (const [path, entry] of current) {
        const blob = repoOf(name).blobs.get(entry.sha) as Blob;
        files[path] = { content: blob.content, mode: entry.mode as '100644' };
      }
      for (const [path, spec] of Object.entries(changes)) {
        if (spec === null) delete files[path];
        else files[path] = spec;
      }
      const after = commitFiles(name, branch, files);
      return { before: before ?? '0'.repeat(40), after };
    },
    head: (name, branch) => repoOf(name).branches.get(branch) ?? '',
    filesAt(name, commit) {
      const repo = repoOf(name);
      const files = new Map<string, string>();
      for (const [path, entry] of repo.commits.get(commit)?.files ?? [])
        files.set(path, (repo.blobs.get(entry.sha) as Blob).content.toString('utf8'));
      return files;
    },
    setFaults(plan) {
      faults = plan;
    },
    revokeInstallationTokens() {
      installationTokens.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // clients keep connections alive; do not wait for them to idle out
      }),
  };

  /** GitHub's checks of an app JWT, then a new installation token. */
  async function issueInstallationToken(
    authorization: string | undefined,
    installationId: string,
  ): Promise<{ status: number; body: unknown }> {
    const app = options.app;
    const refused = (message: string) => ({
      status: 401,
      body: { message, documentation_url: 'https://docs.github.com/rest', status: '401' },
    });
    if (!app) return refused('Integration not found');
    const nowSeconds = Math.floor(now() / 1000);
    try {
      const { payload } = await jwtVerify(authorization?.replace(/^Bearer /, '') ?? '', app.publicKey, {
        algorithms: ['RS256'],
        currentDate: new Date(now()),
      });
      if (payload.iss !== app.appId) return refused("'Issuer' claim ('iss') must be the app's id");
      if (payload.iat === undefined || payload.iat > nowSeconds)
        return refused("'Issued at' claim ('iat') must be an Integer representing a time in the past");
      if (payload.exp === undefined || payload.exp > nowSeconds + 600)
        return refused("'Expiration time' claim ('exp') is too far in the future");
    } catch {
      return refused('A JSON web token could not be decoded');
    }
    if (installationId !== app.installationId) return notFound();
    const issued = `ghs_${randomBytes(18).toString('hex')}`;
    // GitHub's expires_at has whole seconds.
    const expiresAt = Math.floor((now() + (app.tokenTtlMs ?? 3_600_000)) / 1000) * 1000;
    installationTokens.set(issued, expiresAt);
    return {
      status: 201,
      body: {
        token: issued,
        expires_at: new Date(expiresAt).toISOString().replace('.000Z', 'Z'),
        permissions: { contents: 'read', metadata: 'read' },
        repository_selection: 'all',
      },
    };
  }

  function route(req: IncomingMessage, all: Map<string, FakeRepo>): { status: number; body: unknown } {
    const { pathname, searchParams } = new URL(req.url ?? '/', url);
    const named = /^\/repos\/([^/]+)\/([^/]+)$/.exec(pathname);
    if (named && req.method === 'GET') {
      const found = all.get(`${named[1]}/${named[2]}`.toLowerCase());
      return found?.defaultBranch ? { status: 200, body: repositoryBody(url, found) } : notFound();
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(.+)$/.exec(pathname);
    const repo = match ? all.get(`${match[1]}/${match[2]}`.toLowerCase()) : undefined;
    if (!match || !repo || req.method !== 'GET') return notFound();
    const rest = match[3] as string;
    const base = `${url}/repos/${match[1]}/${match[2]}`;
    const ref = /^git\/ref\/heads\/(.+)$/.exec(rest);
    if (ref) {
      const branch = decodeURIComponent(ref[1] as string);
      const sha = repo.branches.get(branch);
      if (!sha) return notFound();
      return {
        status: 200,
        body: {
          ref: `refs/heads/${branch}`,
          object: { sha, type: 'commit', url: `${base}/git/commits/${sha}` },
        },
      };
    }
    const treeMatch = /^git\/trees\/([0-9a-f]{40})$/.exec(rest);
    if (treeMatch) {
      const sha = treeMatch[1] as string;
      const treeSha = repo.commits.get(sha)?.tree ?? sha;
      const entries = repo.trees.get(treeSha);
      if (!entries) return notFound();
      const listed = searchParams.get('recursive') ? flatten(repo, treeSha, '') : entries;
      const limit = options.truncateTreesOver ?? 100_000;
      const tree = listed
        .slice(0, limit)
        .map((entry) => ({ ...entry, url: `${base}/git/${entry.type}s/${entry.sha}` }));
      return {
        status: 200,
        body: { sha: treeSha, url: `${base}/git/trees/${treeSha}`, tree, truncated: listed.length > limit },
      };
    }
    const blobMatch = /^git\/blobs\/([0-9a-f]{40})$/.exec(rest);
    if (blobMatch) {
      const blob = repo.blobs.get(blobMatch[1] as string);
      if (!blob) return notFound();
      return {
        status: 200,
        body: {
          sha: blob.sha,
          node_id: 'B_test',
          size: blob.content.length,
          url: `${base}/git/blobs/${blob.sha}`,
          content: base64Wrapped(blob.content),
          encoding: 'base64',
        },
      };
    }
    const contents = /^contents\/(.+)$/.exec(rest);
    if (contents) {
      const path = contents[1]?.split('/').map(decodeURIComponent).join('/') as string;
      const commit = repo.commits.get(searchParams.get('ref') ?? '');
      const entry = commit?.files.get(path);
      if (!entry) return notFound();
      const blob = repo.blobs.get(entry.sha) as Blob;
      const name = path.slice(path.lastIndexOf('/') + 1);
      const common = {
        name,
        path,
        sha: blob.sha,
        size: blob.content.length,
        url: `${base}/contents/${path}`,
        git_url: `${base}/git/blobs/${blob.sha}`,
      };
      if (entry.mode === '120000')
        return { status: 200, body: { ...common, type: 'symlink', target: blob.content.toString('utf8') } };
      const large = blob.content.length > 1024 * 1024;
      return {
        status: 200,
        body: {
          ...common,
          type: 'file',
          content: large ? '' : base64Wrapped(blob.content),
          encoding: large ? 'none' : 'base64',
        },
      };
    }
    return notFound();
  }
}

/** `GET /repos/{owner}/{repo}` as GitHub answers it (the fields a client is likely to read, and a few more). */
function repositoryBody(url: string, repo: FakeRepo): Record<string, unknown> {
  const [owner, name] = repo.fullName.split('/') as [string, string];
  const api = `${url}/repos/${repo.fullName}`;
  return {
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name,
    full_name: repo.fullName,
    private: true,
    owner: {
      login: owner,
      id: 1,
      node_id: 'MDQ6VXNlcjE=',
      type: 'Organization',
      url: `${url}/users/${owner}`,
    },
    html_url: `https://github.com/${repo.fullName}`,
    description: null,
    fork: false,
    url: api,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    contents_url: `${api}/contents/{+path}`,
    default_branch: repo.defaultBranch,
    visibility: 'private',
    archived: false,
    disabled: false,
    size: 108,
    pushed_at: '2026-11-21T12:00:00Z',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-11-21T12:00:00Z',
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
  };
}

function buildTrees(repo: FakeRepo, files: Map<string, { sha: string; mode: string }>): string {
  const build = (prefix: string): string => {
    const entries: TreeEntry[] = [];
    const directories = new Set<string>();
    for (const [path, file] of files) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        const size = (repo.blobs.get(file.sha) as Blob).content.length;
        entries.push({ path: rest, mode: file.mode, type: 'blob', sha: file.sha, size });
      } else directories.add(rest.slice(0, slash));
    }
    for (const directory of directories)
      entries.push({ path: directory, mode: '040000', type: 'tree', sha: build(`${prefix}${directory}/`) });
    entries.sort((a, b) => a.path.localeCompare(b.path));
    const sha = createHash('sha1').update(JSON.stringify(entries)).digest('hex');
    repo.trees.set(sha, entries);
    return sha;
  };
  return build('');
}

/** A recursive listing as GitHub gives it: every blob and every subtree, with full paths. */
function flatten(repo: FakeRepo, treeSha: string, prefix: string): TreeEntry[] {
  const listed: TreeEntry[] = [];
  for (const entry of repo.trees.get(treeSha) ?? []) {
    listed.push({ ...entry, path: `${prefix}${entry.path}` });
    if (entry.type === 'tree') listed.push(...flatten(repo, entry.sha, `${prefix}${entry.path}/`));
  }
  return listed;
}

function base64Wrapped(content: Buffer): string {
  return `${(content.toString('base64').match(/.{1,60}/g) ?? []).join('\n')}\n`;
}

function notFound(): { status: number; body: unknown } {
  return {
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}
