/** Real directory trees in a temporary folder, for discovery tests. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type DiscoverOptions,
  type DiscoveryEvent,
  type DiscoveryStats,
  discoverFiles,
} from '../../../src/engine/discovery/index.ts';
import type { SkippedFile, SourceFile } from '../../../src/engine/types.ts';

const created: string[] = [];

/** Creates a temporary directory holding `files` (relative POSIX path → content). Removed by `removeTempTrees`. */
export async function makeTree(files: Readonly<Record<string, string | Uint8Array>> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'codesearch-discovery-'));
  created.push(root);
  await addFiles(root, files);
  return root;
}

export async function addFiles(
  root: string,
  files: Readonly<Record<string, string | Uint8Array>>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const absolute = join(root, path);
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
  }
}

export async function removeTempTrees(): Promise<void> {
  await Promise.all(created.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

export interface Discovered {
  readonly events: DiscoveryEvent[];
  readonly files: SourceFile[];
  readonly skipped: SkippedFile[];
  readonly stats: DiscoveryStats;
  /** Every yielded path, files and skips, in order. */
  readonly paths: string[];
}

/** Runs discovery to the end and sorts the events out. */
export async function discover(root: string, options?: DiscoverOptions): Promise<Discovered> {
  const events: DiscoveryEvent[] = [];
  for await (const event of discoverFiles(root, options)) events.push(event);
  const done = events.at(-1);
  if (done?.kind !== 'done') throw new Error('discovery did not end with a done event');
  const files = events.flatMap((event) => (event.kind === 'file' ? [event.file] : []));
  const skipped = events.flatMap((event) => (event.kind === 'skipped' ? [event.file] : []));
  const paths = events.flatMap((event) => (event.kind === 'done' ? [] : [event.file.path]));
  return { events, files, skipped, stats: done.stats, paths };
}

/** The skip recorded for `path`, failing loudly when there is none. */
export function skipOf(result: Discovered, path: string): SkippedFile {
  const skip = result.skipped.find((file) => file.path === path);
  if (skip === undefined) throw new Error(`${path} was not skipped; paths: ${result.paths.join(', ')}`);
  return skip;
}
