/**
 * `codesearch index --branch` and `search --branch` on real git checkouts: a clone on its default branch
 * writes the repository's own index, a feature branch (checked out or named) its own, and search reads the
 * default branch unless told otherwise.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitBranches } from '#adapters/local/git-head.ts';
import { commitAll, git } from '#test/helpers/git-repo.ts';
import { runCli } from '#test/helpers/run-cli.ts';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';

describe('branches in the CLI', () => {
  let work: string;
  let clone: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-branches-'));
    const origin = await copySampleRepo(work);
    commitAll(origin);
    clone = join(work, 'clone');
    git(work, 'clone', '--quiet', origin, clone);
    env = { CODESEARCH_HOME: join(work, 'home') };
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('reads the checked-out branch and the remote default branch from the checkout', async () => {
    expect(await gitBranches(clone)).toEqual({ checkedOut: 'main', defaultBranch: 'main' });
    expect(await gitBranches(work)).toEqual({ checkedOut: null, defaultBranch: null });
  });

  it('indexes the default branch as the repository, other branches apart, and searches each', async () => {
    const main = await runCli(['index', clone, '--repo', 'acme/sample', '--json'], env);
    expect(main.code, main.stderr).toBe(0);
    expect(JSON.parse(main.stdout).repo).toBe('acme/sample');

    const named = await runCli(['index', clone, '--repo', 'acme/sample', '--branch', 'main', '--json'], env);
    expect(JSON.parse(named.stdout)).toMatchObject({ repo: 'acme/sample', filesUnchanged: 8 });

    git(clone, 'checkout', '--quiet', '-b', 'feature/backoff');
    await writeFile(
      join(clone, 'src', 'jitter.ts'),
      'export function fullJitterDelay(base: number) {\n  return Math.random() * base;\n}\n',
    );
    const feature = await runCli(['index', clone, '--repo', 'acme/sample', '--json'], env);
    expect(feature.code, feature.stderr).toBe(0);
    expect(JSON.parse(feature.stdout).repo).toBe('acme/sample@feature/backoff');
    expect((await runCli(['index', clone, '--branch', '../x'], env)).code).not.toBe(0);

    const search = async (...args: string[]) =>
      JSON.parse(
        (await runCli(['search', 'full jitter delay', '--json', '--limit', '3', ...args], env)).stdout,
      ).results as { repo: string; branch: string | null; path: string }[];
    expect((await search()).map((hit) => hit.path)).not.toContain('src/jitter.ts');
    const onBranch = await search('--branch', 'feature/backoff');
    expect(onBranch[0]).toMatchObject({
      repo: 'acme/sample',
      branch: 'feature/backoff',
      path: 'src/jitter.ts',
    });
  });

  it('removes a branch index, then the repository with everything it had, and refuses an unknown one', async () => {
    const remove = async (...args: string[]) => runCli(['remove', '--json', ...args], env);
    const branch = await remove('--repo', 'acme/sample', '--branch', 'feature/backoff');
    expect(branch.code, branch.stderr).toBe(0);
    expect(JSON.parse(branch.stdout)).toMatchObject({ indexes: ['acme/sample@feature/backoff'], files: 9 });
    const found = async (...args: string[]) =>
      JSON.parse((await runCli(['search', 'retry failed uploads', '--json', ...args], env)).stdout).results
        .length as number;
    expect(await found('--branch', 'feature/backoff')).toBe(0);
    expect(await found()).toBeGreaterThan(0);

    const all = await remove('--repo', 'Acme/Sample');
    expect(JSON.parse(all.stdout)).toMatchObject({ repo: 'acme/sample', indexes: ['acme/sample'], files: 8 });
    expect(await found()).toBe(0);
    // Re-indexing starts from nothing: every file is new again.
    const again = await runCli(['index', clone, '--repo', 'acme/sample', '--branch', 'main', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ filesAdded: 9, filesUnchanged: 0 });

    const unknown = await remove('--repo', 'acme/nothing');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/acme\/nothing is not in the index/);
  });
});
