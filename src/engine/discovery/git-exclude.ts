/**
 * The repository-local exclude file, `.git/info/exclude`: ignore rules that are not committed. Found both in
 * an ordinary checkout (`.git` is a directory) and in a linked worktree or submodule (`.git` is a file that
 * says `gitdir: …`, and a worktree's `commondir` points at the shared directory holding `info/`).
 */
import { join, resolve } from 'node:path';
import { type DiscoveryFileSystem, errorCode, MAX_METADATA_BYTES, readText } from './file-system.ts';

/** The text of the exclude file for the checkout at `root`, or '' when there is none or it is unreadable. */
export async function readGitExclude(fileSystem: DiscoveryFileSystem, root: string): Promise<string> {
  const gitDirectory = await locateGitDirectory(fileSystem, root);
  if (gitDirectory === undefined) return '';
  const commonDirectory = (await readText(fileSystem, join(gitDirectory, 'commondir')))?.trim();
  const infoParent = commonDirectory ? resolve(gitDirectory, commonDirectory) : gitDirectory;
  return (await readText(fileSystem, join(infoParent, 'info', 'exclude'))) ?? '';
}

async function locateGitDirectory(
  fileSystem: DiscoveryFileSystem,
  root: string,
): Promise<string | undefined> {
  const dotGit = join(root, '.git');
  try {
    const read = await fileSystem.readRegularFile(dotGit, MAX_METADATA_BYTES);
    if (read.kind === 'not-regular') return read.description === 'directory' ? dotGit : undefined;
    if (read.kind === 'too-large') return undefined;
    const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(new TextDecoder().decode(read.bytes));
    return pointer?.[1] === undefined ? undefined : resolve(root, pointer[1]);
  } catch (error) {
    // Windows refuses to open a directory; elsewhere this is no checkout, or one we cannot read anyway.
    return errorCode(error) === 'EISDIR' ? dotGit : undefined;
  }
}
