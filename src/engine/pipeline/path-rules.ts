/**
 * Which files of a git tree are worth downloading, decided from the listing alone (path, kind, size), with
 * the same rules as local discovery: built-in excluded directories, lock files, binary and generated names,
 * the size limit. Content rules (binary bytes, minified, generated headers) run after the download, in
 * `blob-to-source.ts`. `.gitignore` needs no counterpart: ignored files are not in the tree. `.codesearchignore`
 * needs the ignore files' text, so it is applied by the jobs (`tree-ignore-rules.ts`), not here.
 */
import { BUILTIN_EXCLUDED_DIRECTORIES, DEFAULT_MAX_FILE_BYTES } from '../discovery/index.ts';
import { classifyByName } from '../discovery/name-rules.ts';
import type { SkipVerdict } from '../discovery/skip-verdict.ts';
import type { TreeFile } from './ports.ts';

export { DEFAULT_MAX_FILE_BYTES };

/** The built-in excluded directory (`node_modules`, …) that `path` is inside, or undefined. */
export function excludedDirectoryOf(path: string): string | undefined {
  const directories = path.split('/').slice(0, -1);
  return directories.find((directory) => BUILTIN_EXCLUDED_DIRECTORIES.has(directory));
}

/** Why a path is never indexed, whatever its content, or undefined if it may be. */
export function skipByPath(path: string): SkipVerdict | undefined {
  const excluded = excludedDirectoryOf(path);
  if (excluded !== undefined)
    return { reason: 'unsupported-type', detail: `inside ${excluded}/, never indexed` };
  return classifyByName(path);
}

/** Why a tree entry is not downloaded, or undefined if it should be. */
export function skipTreeFile(file: TreeFile, maxFileBytes = DEFAULT_MAX_FILE_BYTES): SkipVerdict | undefined {
  if (file.kind === 'symlink') return { reason: 'unsupported-type', detail: 'symbolic link; not followed' };
  if (file.kind === 'submodule') return { reason: 'unsupported-type', detail: 'git submodule; not indexed' };
  const byPath = skipByPath(file.path);
  if (byPath) return byPath;
  if (file.size > maxFileBytes)
    return { reason: 'too-large', detail: `${file.size} bytes > ${maxFileBytes} byte limit; not downloaded` };
  return undefined;
}
