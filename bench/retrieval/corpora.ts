/**
 * The benchmark's repositories, fetched as pinned in `sources.json`: a Debian binary package with
 * `apt-get download NAME=VERSION` (checked against its SHA-256, unpacked with `dpkg -x`, no installation),
 * or an npm package with `npm pack NAME@VERSION` (checked against its registry integrity). The files under the
 * package's `root` become the corpus, kept in `bench/.data/retrieval/<name>/` with a stamp of what it holds,
 * so a second run fetches nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { sha256File } from '../../scripts/model/debian/apt.ts';

const run = promisify(execFile);

const SourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('debian'),
    package: z.string(),
    version: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The directory inside the package that is the repository. */
    root: z.string(),
    /** Only these entries of `root`. @default all */
    include: z.array(z.string()).optional(),
    /** Entries of `root` left out (packaging files). */
    exclude: z.array(z.string()).optional(),
  }),
  z.strictObject({
    kind: z.literal('npm'),
    package: z.string(),
    version: z.string(),
    integrity: z.string().startsWith('sha512-'),
  }),
  // A package of our own dependency tree (its version checked against node_modules).
  z.strictObject({
    kind: z.literal('installed'),
    package: z.string(),
    version: z.string(),
    /** Entries of the package directory that are the repository's code. */
    include: z.array(z.string()),
  }),
]);

const RepositorySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  language: z.string(),
  upstream: z.url(),
  license: z.string(),
  source: SourceSchema,
});

export type Repository = z.infer<typeof RepositorySchema>;

/** The natural-language benchmark's repositories, and the ones only the doc → code benchmark reads. */
export async function readSources(file: string): Promise<Repository[]> {
  return (await readAllSources(file)).repositories;
}

export async function readAllSources(
  file: string,
): Promise<{ repositories: Repository[]; docOnly: Repository[] }> {
  const json = JSON.parse(await readFile(file, 'utf8')) as { repositories: unknown; docOnly?: unknown };
  return {
    repositories: z.array(RepositorySchema).parse(json.repositories),
    docOnly: z.array(RepositorySchema).parse(json.docOnly ?? []),
  };
}

/** The corpus directory of `repo` under `dataDir`, fetched if it is not there (or holds another version). */
export async function ensureCorpus(repo: Repository, dataDir: string): Promise<string> {
  const home = join(dataDir, repo.name);
  const corpus = join(home, 'corpus');
  const stamp = join(home, 'source.json');
  const wanted = JSON.stringify(repo.source);
  if ((await readFile(stamp, 'utf8').catch(() => '')) === wanted) return corpus;
  await rm(home, { recursive: true, force: true });
  await mkdir(corpus, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), `codesearch-bench-${repo.name}-`));
  try {
    if (repo.source.kind === 'debian') await fetchDebian(repo.source, work, corpus);
    else if (repo.source.kind === 'npm') await fetchNpm(repo.source, work, corpus);
    else await copyInstalled(repo.source, corpus);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await writeFile(stamp, wanted);
  return corpus;
}

type DebianSource = Extract<Repository['source'], { kind: 'debian' }>;
type NpmSource = Extract<Repository['source'], { kind: 'npm' }>;
type InstalledSource = Extract<Repository['source'], { kind: 'installed' }>;

const NODE_MODULES = new URL('../../node_modules/', import.meta.url).pathname;

async function copyInstalled(source: InstalledSource, corpus: string): Promise<void> {
  const root = join(NODE_MODULES, source.package);
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  if (version !== source.version)
    throw new Error(`node_modules/${source.package} is ${version}, not the pinned ${source.version}`);
  for (const entry of source.include) await cp(join(root, entry), join(corpus, entry), { recursive: true });
}

async function fetchDebian(source: DebianSource, work: string, corpus: string): Promise<void> {
  await run('apt-get', ['download', `${source.package}=${source.version}`], { cwd: work }).catch((error) => {
    throw new Error(
      `apt-get download ${source.package}=${source.version} failed (run apt-get update first): ${(error as Error).message}`,
    );
  });
  const deb = (await readdir(work)).find((name) => name.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${source.package} left no .deb`);
  const digest = await sha256File(join(work, deb));
  if (digest !== source.sha256)
    throw new Error(`${deb} has SHA-256 ${digest}, not the pinned ${source.sha256}`);
  const unpacked = join(work, 'unpacked');
  await run('dpkg', ['-x', join(work, deb), unpacked]);
  const root = join(unpacked, source.root);
  const entries = source.include ?? (await readdir(root));
  for (const entry of entries) {
    if (source.exclude?.includes(entry)) continue;
    await cp(join(root, entry), join(corpus, entry), { recursive: true, errorOnExist: false, force: true });
  }
}

async function fetchNpm(source: NpmSource, work: string, corpus: string): Promise<void> {
  const { stdout } = await run('npm', ['pack', `${source.package}@${source.version}`, '--silent'], {
    cwd: work,
  });
  const tarball = join(work, stdout.trim().split('\n').at(-1) ?? '');
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  if (integrity !== source.integrity)
    throw new Error(`${source.package}@${source.version} has integrity ${integrity}, not the pinned one`);
  await run('tar', ['-xzf', tarball, '-C', corpus, '--strip-components=1']);
}
