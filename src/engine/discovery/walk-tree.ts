/**
 * A depth-first walk that yields every entry worth a look, in sorted path order, holding only one sorted
 * directory listing per level of depth. Ignored and built-in-excluded directories are never entered;
 * ignored entries are counted, not yielded; directories that cannot be listed are yielded as such.
 */
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { type DiscoveryFileSystem, describeFileType, readText } from './file-system.ts';
import type { IgnoreFileText, IgnoreNotice, IgnoreRules } from './ignore-rules.ts';

/** Ignore rules for codesearch alone; the push pipeline reads it from the code host as well. */
export const CODESEARCH_IGNORE_FILE_NAME = '.codesearchignore';

/** Ignore files read in every directory, in increasing precedence. */
export const IGNORE_FILE_NAMES = ['.gitignore', CODESEARCH_IGNORE_FILE_NAME] as const;

/** What the walk found at one path (POSIX, relative to the root). */
export type WalkEntry =
  | { readonly kind: 'file'; readonly path: string; readonly absolutePath: string }
  | { readonly kind: 'symlink'; readonly path: string; readonly absolutePath: string }
  /** FIFO, socket or device: reported, never opened (opening a FIFO blocks until a writer appears). */
  | { readonly kind: 'special'; readonly path: string; readonly description: string }
  | { readonly kind: 'unlistable'; readonly path: string; readonly error: unknown };

/** Counts of what the walk left out silently; the caller owns the object and reads it when the walk ends. */
export interface WalkCounters {
  directoriesListed: number;
  excludedDirectories: number;
  ignoredDirectories: number;
  ignoredFiles: number;
}

export interface WalkOptions {
  readonly fileSystem: DiscoveryFileSystem;
  /** Directory names never entered, at any depth below the root. */
  readonly excludedDirectoryNames: ReadonlySet<string>;
  /** Rules in force at the root before its own ignore files (i.e. `.git/info/exclude`). */
  readonly rules: IgnoreRules;
  readonly counters: WalkCounters;
  /** Receives every ignore-file line that is not applied. */
  readonly onIgnoreNotice: (notice: IgnoreNotice) => void;
}

interface DirectoryFrame {
  readonly path: string;
  readonly entries: readonly Dirent[];
  readonly rules: IgnoreRules;
  next: number;
}

/** Walks the directory `root` (absolute), yielding its entries in sorted order of their relative paths. */
export async function* walkTree(root: string, options: WalkOptions): AsyncGenerator<WalkEntry> {
  const { fileSystem, excludedDirectoryNames, counters } = options;

  async function openDirectory(path: string, rules: IgnoreRules): Promise<DirectoryFrame | WalkEntry> {
    const absolutePath = join(root, path);
    let entries: Dirent[];
    try {
      entries = await fileSystem.listDirectory(absolutePath);
    } catch (error) {
      return { kind: 'unlistable', path: path || '.', error };
    }
    counters.directoriesListed++;
    const ignoreFiles: IgnoreFileText[] = [];
    for (const name of IGNORE_FILE_NAMES) {
      // Only regular files count: like git (since 2.32), a symlinked ignore file is not followed. An
      // unreadable one is reported when the walk reaches it as a file; its rules cannot apply.
      const present = entries.some((entry) => entry.name === name && entry.isFile());
      const text = present ? await readText(fileSystem, join(absolutePath, name)) : undefined;
      if (text !== undefined) ignoreFiles.push({ path: path === '' ? name : `${path}/${name}`, text });
    }
    return {
      path,
      entries: sortByPath(entries),
      rules: rules.withPatterns(path, ignoreFiles, options.onIgnoreNotice),
      next: 0,
    };
  }

  const rootFrame = await openDirectory('', options.rules);
  if (!('entries' in rootFrame)) {
    yield rootFrame;
    return;
  }
  const stack: DirectoryFrame[] = [rootFrame];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as DirectoryFrame;
    const entry = frame.entries[frame.next++];
    if (entry === undefined) {
      stack.pop();
      continue;
    }
    const path = frame.path === '' ? entry.name : `${frame.path}/${entry.name}`;
    if (entry.isDirectory()) {
      if (excludedDirectoryNames.has(entry.name)) {
        counters.excludedDirectories++;
      } else if (frame.rules.isIgnored(path, true)) {
        counters.ignoredDirectories++;
      } else {
        const child = await openDirectory(path, frame.rules);
        if ('entries' in child) stack.push(child);
        else yield child;
      }
      continue;
    }
    if (frame.rules.isIgnored(path, false)) {
      counters.ignoredFiles++;
      continue;
    }
    const absolutePath = join(root, path);
    if (entry.isFile()) yield { kind: 'file', path, absolutePath };
    else if (entry.isSymbolicLink()) yield { kind: 'symlink', path, absolutePath };
    else yield { kind: 'special', path, description: describeFileType(entry) };
  }
}

/**
 * Sorts one listing so that a depth-first walk emits paths in plain code-unit order of the full relative
 * path: a directory sorts as `name/`, which puts `a.txt` ('.' < '/') before everything inside `a/`.
 */
function sortByPath(entries: Dirent[]): Dirent[] {
  const keyed = entries.map((entry) => ({ entry, key: entry.isDirectory() ? `${entry.name}/` : entry.name }));
  keyed.sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0));
  return keyed.map(({ entry }) => entry);
}
