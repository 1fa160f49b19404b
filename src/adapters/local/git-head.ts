/**
 * The commit a local git checkout is at, read from its files without running git: `.git/HEAD` is either a
 * commit id (a detached head) or `ref: refs/heads/<branch>`, whose commit is in `refs/heads/<branch>` or, once
 * git has packed its refs, a line of `packed-refs`. A `.git` file (`gitdir: …`, worktrees and submodules) is
 * followed, and a worktree's refs are looked up in its common directory as well.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The HEAD commit of the checkout at `root`, or null when `root` is not a git checkout (or HEAD names a
 * branch with no commit yet).
 *
 * @example
 * await gitHeadCommit('/src/acme-api'); // → "6dcb09b5b57875f334f61aebed695e2e4193db5e"
 */
export async function gitHeadCommit(root: string): Promise<string | null> {
  const gitDir = await gitDirOf(root);
  if (!gitDir) return null;
  const head = (await readText(join(gitDir, 'HEAD')))?.trim();
  if (!head) return null;
  if (SHA.test(head)) return head;
  const ref = /^ref:\s*(refs\/\S+)$/.exec(head)?.[1];
  if (!ref || ref.split('/').includes('..')) return null;
  const commonDir = await commonDirOf(gitDir);
  for (const dir of commonDir === gitDir ? [gitDir] : [gitDir, commonDir]) {
    const loose = (await readText(join(dir, ref)))?.trim();
    if (loose && SHA.test(loose)) return loose;
  }
  return packedRef(await readText(join(commonDir, 'packed-refs')), ref);
}

/**
 * The branch the checkout at `root` has checked out (null: detached, or not a checkout) and its remote's
 * default branch, as `git clone` records it in `refs/remotes/origin/HEAD` (null when unknown).
 *
 * @example
 * await gitBranches('/src/acme-api'); // → { checkedOut: 'feature/x', defaultBranch: 'main' }
 */
export async function gitBranches(
  root: string,
): Promise<{ readonly checkedOut: string | null; readonly defaultBranch: string | null }> {
  const gitDir = await gitDirOf(root);
  if (!gitDir) return { checkedOut: null, defaultBranch: null };
  const head = (await readText(join(gitDir, 'HEAD')))?.trim() ?? '';
  const checkedOut = /^ref:\s*refs\/heads\/(\S+)$/.exec(head)?.[1] ?? null;
  const remoteHead = (
    await readText(join(await commonDirOf(gitDir), 'refs', 'remotes', 'origin', 'HEAD'))
  )?.trim();
  const defaultBranch = /^ref:\s*refs\/remotes\/origin\/(\S+)$/.exec(remoteHead ?? '')?.[1] ?? null;
  return { checkedOut, defaultBranch };
}

async function gitDirOf(root: string): Promise<string | undefined> {
  const dotGit = join(root, '.git');
  const pointer = await readText(dotGit);
  if (pointer === undefined) return (await readText(join(dotGit, 'HEAD'))) === undefined ? undefined : dotGit;
  const target = /^gitdir:\s*(.+)$/m.exec(pointer)?.[1]?.trim();
  if (!target) return undefined;
  return isAbsolute(target) ? target : resolve(root, target);
}

async function commonDirOf(gitDir: string): Promise<string> {
  const common = (await readText(join(gitDir, 'commondir')))?.trim();
  if (!common) return gitDir;
  return isAbsolute(common) ? common : resolve(gitDir, common);
}

/** `packed-refs`: "<sha> <ref>" lines, `#` comments and `^<sha>` peeled tags. */
function packedRef(packed: string | undefined, ref: string): string | null {
  for (const line of (packed ?? '').split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return null;
}

/** A file's text; undefined when it is missing or not a file. */
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
