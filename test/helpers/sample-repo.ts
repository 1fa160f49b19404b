import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export const SAMPLE_REPO = new URL('../fixtures/sample-repo/', import.meta.url).pathname;

/**
 * Copies the sample repository into `dir` (tests change files, the fixture must not) and adds what git would
 * not let us commit there: an ignored log file and a node_modules folder, both of which indexing must skip.
 */
export async function copySampleRepo(dir: string): Promise<string> {
  const root = join(dir, 'sample-repo');
  await cp(SAMPLE_REPO, root, { recursive: true });
  await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
  await writeFile(
    join(root, 'node_modules', 'dep', 'index.js'),
    'export function hiddenDependency() { return 1; }\n',
  );
  await writeFile(join(root, 'debug.log'), 'retryFailedUpload failed 3 times\n');
  return root;
}

/** The sample repository's files as { path: text }, the shape the GitHub emulator commits. */
export async function sampleRepoFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(SAMPLE_REPO, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath, entry.name);
    files[relative(SAMPLE_REPO, absolute)] = await readFile(absolute, 'utf8');
  }
  return files;
}
