/**
 * Debian's binary packages as a source of code, fetched without installing anything: `apt-cache show` for
 * what the archive holds, `apt-get download NAME=VERSION` for the `.deb`, `dpkg-deb --fsys-tarfile` piped to
 * `tar` for the files we read. Needs `apt-get update` once on a fresh machine.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mapLimited } from '../../../src/engine/pipeline/map-limited.ts';

const run = promisify(execFile);
const BIG_OUTPUT = 1 << 30;

/** One package as `apt-cache show` describes its candidate version. */
export interface AptRecord {
  readonly package: string;
  readonly version: string;
  /** The Debian source package. */
  readonly source: string;
  readonly architecture: string;
  readonly homepage?: string;
  /** Bytes of the `.deb`. */
  readonly size: number;
  readonly installedKiB: number;
  readonly sha256: string;
}

/** Package names matching `pattern` (a regular expression over names, as `apt-cache search --names-only`). */
export async function searchPackages(pattern: string): Promise<string[]> {
  const { stdout } = await run('apt-cache', ['search', '--names-only', pattern], { maxBuffer: BIG_OUTPUT });
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean)
    .sort();
}

/** The candidate version's record of each package (the ones apt knows), in the order asked. */
export async function showPackages(names: readonly string[]): Promise<AptRecord[]> {
  const records: AptRecord[] = [];
  for (let i = 0; i < names.length; i += 500) {
    const { stdout } = await run('apt-cache', ['show', '--no-all-versions', ...names.slice(i, i + 500)], {
      maxBuffer: BIG_OUTPUT,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    for (const paragraph of stdout.split(/\n\n+/)) {
      const field = (name: string) => paragraph.match(new RegExp(`^${name}: (.*)$`, 'm'))?.[1]?.trim();
      const pkg = field('Package');
      const version = field('Version');
      const sha256 = field('SHA256');
      if (!pkg || !version || !sha256) continue;
      const homepage = field('Homepage');
      records.push({
        package: pkg,
        version,
        source: (field('Source') ?? pkg).split(' ')[0] as string,
        architecture: field('Architecture') ?? '',
        ...(homepage ? { homepage } : {}),
        size: Number(field('Size') ?? 0),
        installedKiB: Number(field('Installed-Size') ?? 0),
        sha256,
      });
    }
  }
  return records;
}

/** The file name apt-get download gives `package`'s `version` (an epoch's colon is written `%3a`). */
export function debFileName(pkg: string, version: string, architecture: string): string {
  return `${pkg}_${version.replace(/:/g, '%3a')}_${architecture}.deb`;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface PinnedDeb {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly sha256: string;
}

/**
 * Makes sure `dir` holds every pinned `.deb` with its pinned checksum, downloading the missing ones in
 * batches, four at a time (each `apt-get download` fetches one file after another). A package whose pinned
 * version the archive no longer serves is returned as missing (the archive replaces versions in point
 * releases); a checksum mismatch is an error.
 */
export async function downloadPinned(
  debs: readonly PinnedDeb[],
  dir: string,
  log: (line: string) => void = () => {},
): Promise<{ missing: PinnedDeb[] }> {
  await mkdir(dir, { recursive: true });
  const present = new Set(await readdir(dir));
  const wanted = debs.filter((d) => !present.has(debFileName(d.package, d.version, d.architecture)));
  const missing: PinnedDeb[] = [];
  const batches: PinnedDeb[][] = [];
  for (let i = 0; i < wanted.length; i += 50) batches.push(wanted.slice(i, i + 50));
  let done = 0;
  // Four batches at a time, each in its own staging folder.
  await mapLimited(batches, 4, async (batch, b) => {
    const staging = join(dir, `.partial-${b}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging);
    // One bad name fails the whole batch; then each package alone, to tell which.
    const specs = batch.map((d) => `${d.package}=${d.version}`);
    const ok = await run('apt-get', ['download', ...specs], { cwd: staging, maxBuffer: BIG_OUTPUT }).then(
      () => true,
      () => false,
    );
    if (!ok) {
      for (const d of batch) {
        await run('apt-get', ['download', `${d.package}=${d.version}`], { cwd: staging }).catch(() =>
          missing.push(d),
        );
      }
    }
    for (const d of batch) {
      const name = debFileName(d.package, d.version, d.architecture);
      const file = join(staging, name);
      const digest = await sha256File(file).catch(() => undefined);
      if (digest === undefined) {
        if (!missing.includes(d)) missing.push(d);
        continue;
      }
      if (digest !== d.sha256) throw new Error(`${name} has SHA-256 ${digest}, not the pinned ${d.sha256}`);
      await rename(file, join(dir, name));
    }
    done += batch.length;
    if (b % 10 === 9 || done === wanted.length) log(`downloaded ${done} of ${wanted.length} packages`);
    await rm(staging, { recursive: true, force: true });
  });
  return { missing };
}

/**
 * Unpacks the members of `deb` whose paths match one of `wildcards` (tar's `--wildcards`, e.g. `*.go`) into
 * `dest`. Symbolic links are not followed out of `dest`: tar refuses absolute and `..` member names.
 */
export async function extractMembers(deb: string, dest: string, wildcards: readonly string[]): Promise<void> {
  await mkdir(dest, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const dpkg = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', dest, '--wildcards', '--no-same-owner', ...wildcards], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    dpkg.stdout.pipe(tar.stdin);
    let errors = '';
    dpkg.stderr.on('data', (d: Buffer) => {
      errors += d.toString();
    });
    tar.stderr.on('data', (d: Buffer) => {
      errors += d.toString();
    });
    let pending = 2;
    const done = (code: number | null, who: string) => {
      // tar exits 2 when no member matched: an empty package is not an error.
      if (code !== 0 && !(who === 'tar' && code === 2 && /Not found in archive/.test(errors)))
        reject(new Error(`${who} failed on ${deb} (${code}): ${errors.slice(0, 300)}`));
      else if (--pending === 0) resolve();
    };
    dpkg.on('close', (code) => done(code, 'dpkg-deb'));
    tar.on('close', (code) => done(code, 'tar'));
  });
}

/** The text of one member of `deb` (e.g. `./usr/share/doc/NAME/copyright`), or undefined if absent. */
export async function readMember(deb: string, member: string): Promise<string | undefined> {
  const { stdout } = await run(
    'sh',
    ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" 2>/dev/null', 'sh', deb, member],
    {
      maxBuffer: 64 << 20,
    },
  ).catch(() => ({ stdout: '' }));
  return stdout === '' ? undefined : stdout;
}
