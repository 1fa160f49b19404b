/**
 * Benchmark corpora built from code already on disk: the project's own dependency tree. Files are copied
 * (not linked) into bench/.data so discovery sees an ordinary folder without node_modules excludes.
 */
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const SOURCE = /\.(?:js|mjs|cjs|ts|tsx|py)$/;
const SKIP = /(?:\.d\.ts|\.min\.js)$/;

/** Source files under `root` (sorted, each under `maxBytes`), following no symlinks. */
export async function listSourceFiles(root: string, maxBytes = 512 * 1024): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && SOURCE.test(entry.name) && !SKIP.test(entry.name)) {
        if ((await stat(path)).size <= maxBytes) out.push(path);
      }
    }
  }
  await walk(root);
  return out;
}

/** Copies `files` (absolute, under `from`) into `to`, keeping relative paths. Idempotent. */
export async function copyTree(files: readonly string[], from: string, to: string): Promise<void> {
  for (const file of files) {
    const target = join(to, relative(from, file));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file, target);
  }
}
