import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRepoName } from '#cli/repo-name.ts';
import { useTempDirs } from '../../helpers/temp-dir.ts';

describe('the default repository name', () => {
  const tempDir = useTempDirs();
  const checkout = async (remote?: string) => {
    const dir = await tempDir();
    await mkdir(join(dir, '.git'));
    const origin =
      remote === undefined
        ? ''
        : `[remote "origin"]\n\turl = ${remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;
    await writeFile(join(dir, '.git', 'config'), `[core]\n\tbare = false\n${origin}`);
    return dir;
  };

  it.each([
    ['https://github.com/acme/widgets.git', 'acme/widgets'],
    ['git@github.com:acme/widgets.git', 'acme/widgets'],
    ['https://github.com/acme/widgets/', 'acme/widgets'],
    // A clone of a local checkout (`git clone . /tmp/x`) records the path as given
    ['/work/main/.', 'work/main'],
    ['/srv/git/tools/', 'git/tools'],
  ])('is owner/name from the origin %s', async (remote, name) => {
    expect(defaultRepoName(await checkout(remote))).toBe(name);
  });

  it('is the folder name without a remote, or when the remote does not end in a valid name', async () => {
    const plain = await checkout();
    expect(defaultRepoName(plain)).toBe(basename(plain));
    const odd = await checkout('/srv/../..');
    expect(defaultRepoName(odd)).toBe(basename(odd));
    const bare = await tempDir();
    expect(defaultRepoName(bare)).toBe(basename(bare));
  });
});
