/**
 * The default repository name for `codesearch index <dir>`: `owner/name` from the git remote when there is
 * one (so local names match what the GitHub webhook will use), else the folder's name.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export function defaultRepoName(dir: string): string {
  const fromRemote = remoteRepoName(dir);
  if (fromRemote) return fromRemote;
  const name = basename(resolve(dir))
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.]+/, '');
  return name.length > 0 ? name.slice(0, 100) : 'local';
}

function remoteRepoName(dir: string): string | undefined {
  let config: string;
  try {
    config = readFileSync(join(dir, '.git', 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const origin = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(config)?.[1];
  const match = origin && /[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(origin);
  return match ? `${match[1]}/${match[2]}` : undefined;
}
