import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitHeadCommit } from '#adapters/local/git-head.ts';
import { commitAll, git } from '#test/helpers/git-repo.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

describe('gitHeadCommit (real git checkouts)', () => {
  const tempDir = useTempDirs();

  const checkout = async (): Promise<{ dir: string; head: string }> => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.ts'), 'export const a = 1;\n');
    return { dir, head: commitAll(dir) };
  };

  it('reads the branch HEAD points at from its loose ref', async () => {
    const { dir, head } = await checkout();
    expect(await gitHeadCommit(dir)).toBe(head);
  });

  it('reads packed refs once git has packed them, and follows a new commit', async () => {
    // Given: a second commit, then every ref packed (no loose ref file left)
    const { dir } = await checkout();
    git(dir, 'commit', '--quiet', '--allow-empty', '-m', 'second');
    git(dir, 'pack-refs', '--all', '--prune');
    const head = git(dir, 'rev-parse', 'HEAD');

    // Then
    expect(await gitHeadCommit(dir)).toBe(head);
  });

  it('reads a detached HEAD', async () => {
    const { dir, head } = await checkout();
    git(dir, 'commit', '--quiet', '--allow-empty', '-m', 'second');
    git(dir, 'checkout', '--quiet', '--detach', head);
    expect(await gitHeadCommit(dir)).toBe(head);
  });

  it('follows a worktree .git file to its gitdir and common refs', async () => {
    const { dir, head } = await checkout();
    const worktree = join(await tempDir(), 'wt');
    git(dir, 'worktree', 'add', '--quiet', '-b', 'side', worktree);
    expect(await gitHeadCommit(worktree)).toBe(head);
  });

  it('is null for a folder that is not a checkout, and for a branch with no commit yet', async () => {
    const plain = await tempDir();
    await mkdir(join(plain, 'src'));
    expect(await gitHeadCommit(plain)).toBeNull();
    const empty = await tempDir();
    git(empty, 'init', '--quiet');
    expect(await gitHeadCommit(empty)).toBeNull();
  });
});
