/**
 * The GitHub client and source against the GitHub emulator: response shapes, retries with backoff and jitter,
 * primary and secondary rate limits, Retry-After, token refresh. Sleeps are recorded instead of slept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApi, GitHubUnavailableError } from '#adapters/github/github-api.ts';
import { GitHubSource } from '#adapters/github/github-source.ts';
import { cachedSecret } from '#engine/pipeline/cached-secret.ts';
import { PermanentJobError, RetryLaterError } from '#engine/pipeline/errors.ts';
import { type Fault, faultsAt, NO_FAULTS } from '#test/emulators/faults.ts';
import {
  type GitHubEmulator,
  gitBlobSha,
  primaryRateLimit,
  SERVER_ERROR,
  secondaryRateLimit,
  startGitHubEmulator,
} from '#test/emulators/github-emulator.ts';

const REPO = 'octo/sample';

describe('GitHub source', () => {
  let github: GitHubEmulator;
  let commit: string;
  const sleeps: number[] = [];

  const api = (options: { token?: string; random?: () => number } = {}) => {
    let reads = 0;
    const token = cachedSecret({
      description: 'test token',
      read: async () => (reads++ === 0 && options.token ? options.token : github.token),
    });
    return new GitHubApi({
      baseUrl: github.url,
      token,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: options.random ?? (() => 0.5),
    });
  };
  const failFirst = (count: number, fault: Fault) =>
    github.setFaults(
      faultsAt(
        Array.from({ length: count }, (_, i) => i + 1),
        fault,
      ),
    );

  beforeAll(async () => {
    github = await startGitHubEmulator({ truncateTreesOver: 5 });
    commit = github.commit(REPO, 'main', {
      'README.md': '# sample\n',
      'src/a.ts': 'export const a = 1;\n',
      'src/deep/b.ts': 'export const b = 2;\n',
      'src/deep/deeper/c.py': 'c = 3\n',
      'docs/guide.md': 'guide\n',
      link: { content: 'src/a.ts', mode: '120000' },
      'big.txt': 'x'.repeat(1024 * 1024 + 1),
    });
  });
  afterAll(() => github?.stop());

  it('lists a truncated tree by walking it, with blob ids, sizes and kinds', async () => {
    // The emulator truncates listings over 5 entries, as GitHub does over 100,000.
    const files = await new GitHubSource(api()).listTree(REPO, commit);
    expect(files.map((file) => file.path).sort()).toEqual(
      [
        'README.md',
        'big.txt',
        'docs/guide.md',
        'link',
        'src/a.ts',
        'src/deep/b.ts',
        'src/deep/deeper/c.py',
      ].sort(),
    );
    const a = files.find((file) => file.path === 'src/a.ts');
    expect(a).toEqual({
      path: 'src/a.ts',
      sha: gitBlobSha(Buffer.from('export const a = 1;\n')),
      size: 20,
      kind: 'file',
    });
    expect(files.find((file) => file.path === 'link')?.kind).toBe('symlink');
  });

  it('reads blobs (base64) and files at a commit, large files without content', async () => {
    const source = new GitHubSource(api());
    const sha = gitBlobSha(Buffer.from('c = 3\n'));
    expect(Buffer.from(await source.readBlob(REPO, sha)).toString('utf8')).toBe('c = 3\n');
    const file = await source.readFile(REPO, commit, 'src/deep/deeper/c.py');
    expect(file).toMatchObject({ sha, size: 6, kind: 'file' });
    expect(Buffer.from(file?.bytes ?? []).toString('utf8')).toBe('c = 3\n');
    const big = await source.readFile(REPO, commit, 'big.txt');
    expect(big).toMatchObject({ kind: 'file', size: 1024 * 1024 + 1 });
    expect(big?.bytes).toBeUndefined();
    expect(await source.readFile(REPO, commit, 'missing.ts')).toBeUndefined();
    expect(await source.resolveCommit(REPO, 'main')).toBe(commit);
  });

  it('retries 5xx with exponential backoff and full jitter, then gives up as transient', async () => {
    sleeps.length = 0;
    failFirst(2, SERVER_ERROR);
    const client = api({ random: () => 0.99 });
    await new GitHubSource(client).resolveCommit(REPO, 'main');
    expect(client.stats).toMatchObject({ requests: 3, retries: 2 });
    expect(sleeps).toEqual([Math.floor(0.99 * 300), Math.floor(0.99 * 600)]);

    github.setFaults(faultsAt([1, 2, 3, 4, 5, 6], { ...SERVER_ERROR, status: 500 }));
    await expect(new GitHubSource(api()).resolveCommit(REPO, 'main')).rejects.toBeInstanceOf(
      GitHubUnavailableError,
    );
    github.setFaults(NO_FAULTS);
  });

  it('waits out a secondary limit for Retry-After seconds, or hands a long wait to the queue', async () => {
    sleeps.length = 0;
    failFirst(1, secondaryRateLimit(2));
    await new GitHubSource(api()).resolveCommit(REPO, 'main');
    expect(sleeps).toEqual([2000]);

    failFirst(1, secondaryRateLimit(120));
    const error = await new GitHubSource(api()).resolveCommit(REPO, 'main').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).delayMs).toBe(120_000);

    // Without Retry-After GitHub asks for at least a minute: too long to sleep in a function.
    failFirst(1, { ...secondaryRateLimit(0), headers: {} });
    expect(await new GitHubSource(api()).resolveCommit(REPO, 'main').catch((e: unknown) => e)).toBeInstanceOf(
      RetryLaterError,
    );
    github.setFaults(NO_FAULTS);
  });

  it('waits for the primary limit to reset, or hands a long wait to the queue', async () => {
    sleeps.length = 0;
    failFirst(1, primaryRateLimit(3));
    await new GitHubSource(api()).resolveCommit(REPO, 'main');
    expect(sleeps[0]).toBeGreaterThan(2000);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);

    failFirst(1, primaryRateLimit(3600));
    const error = await new GitHubSource(api()).resolveCommit(REPO, 'main').catch((e: unknown) => e);
    expect((error as RetryLaterError).delayMs).toBeGreaterThan(3_500_000);
    github.setFaults(NO_FAULTS);
  });

  it('treats a plain 403 and a missing repository as permanent', async () => {
    failFirst(1, {
      status: 403,
      code: 'forbidden',
      message: 'Resource not accessible by personal access token',
    });
    await expect(new GitHubSource(api()).resolveCommit(REPO, 'main')).rejects.toBeInstanceOf(
      PermanentJobError,
    );
    github.setFaults(NO_FAULTS);
    await expect(new GitHubSource(api()).listTree('octo/missing', commit)).rejects.toThrow(/404/);
  });

  it('re-reads a rotated token once after a 401', async () => {
    const client = api({ token: 'ghp_revoked' });
    expect(await new GitHubSource(client).resolveCommit(REPO, 'main')).toBe(commit);
    expect(client.stats.requests).toBe(2);
    const never = new GitHubApi({
      baseUrl: github.url,
      token: cachedSecret({ description: 't', read: async () => 'wrong' }),
    });
    await expect(new GitHubSource(never).resolveCommit(REPO, 'main')).rejects.toThrow(/401/);
  });
});
