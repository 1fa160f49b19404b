/**
 * Benchmark corpora built from code already on disk: the project's own dependency tree. Files are chosen
 * with the same discovery the indexer uses (so every one of them is indexable) and copied into bench/.data,
 * with directory names the indexer excludes (dist, build, …) renamed so the copies are not skipped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BUILTIN_EXCLUDED_DIRECTORIES, discoverFiles } from '#engine/discovery/index.ts';
import type { SourceFile } from '#engine/types.ts';

/** Every indexable source file under `root`, in discovery (sorted) order, ignoring built-in excludes. */
export async function indexableFiles(root: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for await (const event of discoverFiles(root, { excludedDirectoryNames: new Set(['.git']) })) {
    if (event.kind === 'file') files.push(event.file);
  }
  return files;
}

/** Writes `files` under `to`, renaming path segments the indexer would exclude. */
export async function writeTree(files: readonly SourceFile[], to: string): Promise<void> {
  const excluded = BUILTIN_EXCLUDED_DIRECTORIES as ReadonlySet<string>;
  for (const file of files) {
    const segments = file.path.split('/');
    const safe = segments.map((segment, i) =>
      i < segments.length - 1 && excluded.has(segment) ? `${segment}_` : segment,
    );
    const target = join(to, ...safe);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.text);
  }
}
