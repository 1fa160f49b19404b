import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
