import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidRequestError } from '../errors.ts';
import type { SkipReason } from '../types.ts';
import { BUILTIN_EXCLUDED_DIRECTORIES } from './builtin-excludes.ts';
import type { DiscoverOptions, DiscoveryEvent, DiscoveryStats } from './discovery-types.ts';
import { DiscoveryRootError } from './errors.ts';
import { describeFsError, errorCode, nodeFileSystem } from './file-system.ts';
import { readGitExclude } from './git-exclude.ts';
import { type IgnoreNotice, IgnoreRules } from './ignore-rules.ts';
import { inspectEntry } from './inspect-entry.ts';
import { mapOrdered } from './map-ordered.ts';
import { type WalkCounters, walkTree } from './walk-tree.ts';

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_CONCURRENCY = 16;
/** Ignore-file lines not applied are all counted; this many are described. */
const MAX_IGNORE_NOTICES = 20;

/**
 * Streams the files under `root` (a git checkout or any directory) in sorted path order: each one either
 * read and ready to index, or skipped with a reason; then a final `done` event with statistics.
 *
 * Honours `.gitignore` and `.codesearchignore` at every level and `.git/info/exclude`, never enters
 * ignored or built-in-excluded directories, never follows symbolic links, never opens FIFOs or devices,
 * and never reads a file above `maxFileBytes`. File-system errors below the root become `unreadable`
 * skips; only a root that is missing or not a directory throws.
 *
 * @throws DiscoveryRootError when `root` does not exist, is not a directory, or cannot be examined; like
 *   any async generator, on the first `next()`, not on the call.
 * @throws InvalidRequestError for a negative `maxFileBytes` or a `concurrency` below 1.
 * @example
 * for await (const event of discoverFiles('.')) {
 *   if (event.kind === 'file') index(event.file);
 *   else if (event.kind === 'skipped') console.warn(`${event.file.path}: ${event.file.reason} (${event.file.detail})`);
 *   else console.log(`${event.stats.files} files in ${event.stats.durationMs} ms`);
 * }
 */
export async function* discoverFiles(
  root: string,
  options: DiscoverOptions = {},
): AsyncGenerator<DiscoveryEvent> {
  const started = performance.now();
  const fileSystem = options.fileSystem ?? nodeFileSystem;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  checkOptions(maxFileBytes, concurrency);

  const absoluteRoot = await checkRoot(root);
  const counters: WalkCounters = {
    directoriesListed: 0,
    excludedDirectories: 0,
    ignoredDirectories: 0,
    ignoredFiles: 0,
  };
  const tally = { files: 0, skipped: 0, bytesRead: 0, skippedByReason: emptyReasonCounts() };
  const ignoreNotices: IgnoreNotice[] = [];
  let ignoreLinesNotApplied = 0;
  const onIgnoreNotice = (notice: IgnoreNotice): void => {
    ignoreLinesNotApplied++;
    if (ignoreNotices.length < MAX_IGNORE_NOTICES) ignoreNotices.push(notice);
  };
  const exclude = await readGitExclude(fileSystem, absoluteRoot);

  const entries = walkTree(absoluteRoot, {
    fileSystem,
    excludedDirectoryNames: options.excludedDirectoryNames ?? BUILTIN_EXCLUDED_DIRECTORIES,
    rules: IgnoreRules.NONE.withPatterns('', [{ path: '.git/info/exclude', text: exclude }], onIgnoreNotice),
    counters,
    onIgnoreNotice,
  });
  const inspections = mapOrdered(entries, concurrency, (entry) =>
    inspectEntry(entry, { fileSystem, maxFileBytes }),
  );
  for await (const { event, bytesRead } of inspections) {
    tally.bytesRead += bytesRead;
    if (event.kind === 'file') tally.files++;
    else {
      tally.skipped++;
      tally.skippedByReason[event.file.reason]++;
    }
    yield event;
  }

  const stats: DiscoveryStats = {
    ...tally,
    ...counters,
    ignoreLinesNotApplied,
    ignoreNotices,
    durationMs: Math.round(performance.now() - started),
  };
  yield { kind: 'done', stats };
}

/** The absolute root, after making sure it is a directory (following a symlink at the root itself is fine). */
async function checkRoot(root: string): Promise<string> {
  const absoluteRoot = resolve(root);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(absoluteRoot)).isDirectory();
  } catch (error) {
    const problem = errorCode(error) === 'ENOENT' ? 'it does not exist' : describeFsError(error);
    throw new DiscoveryRootError(
      `Cannot discover files in ${JSON.stringify(root)}: ${problem}`,
      [{ path: 'root', message: problem }],
      { cause: error },
    );
  }
  if (!isDirectory) {
    throw new DiscoveryRootError(`Cannot discover files in ${JSON.stringify(root)}: it is not a directory`, [
      { path: 'root', message: 'not a directory' },
    ]);
  }
  return absoluteRoot;
}

function checkOptions(maxFileBytes: number, concurrency: number): void {
  const issues: { path: string; message: string }[] = [];
  if (!(maxFileBytes >= 0)) issues.push({ path: 'maxFileBytes', message: 'must be a number >= 0' });
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    issues.push({ path: 'concurrency', message: 'must be an integer >= 1' });
  }
  if (issues.length > 0) {
    const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
    throw new InvalidRequestError(`Invalid discovery options: ${summary}`, issues);
  }
}

function emptyReasonCounts(): Record<SkipReason, number> {
  return {
    'too-large': 0,
    binary: 0,
    'invalid-utf8': 0,
    minified: 0,
    generated: 0,
    lockfile: 0,
    'unsupported-type': 0,
    unreadable: 0,
    empty: 0,
    'chunking-failed': 0,
  };
}
