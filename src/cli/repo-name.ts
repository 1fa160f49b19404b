/**
 * The default repository name for `codesearch index <dir>`: `owner/name` from the git remote when there is
 * one (so local names match what the GitHub webhook will use), else the folder's name.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { validateRepoName } from '#engine/search/filters.ts';

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
  // A clone of a local path can have a remote such as `/work/app/.`: drop trailing `/.` and `/` first.
  const url = origin?.replace(/(?:\/\.?)+$/, '');
  const match = url && /[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?$/.exec(url);
  if (!match) return undefined;
  const name = `${match[1]}/${match[2]}`;
  // Anything else a URL can end in (`..`, a part longer than GitHub allows) falls back to the folder name.
  try {
    return validateRepoName(name);
  } catch {
    return undefined;
  }
}
