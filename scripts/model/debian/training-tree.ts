/**
 * The manifest's packages on disk: each `.deb` downloaded at its pinned version and checksum, and its source
 * files (only those, `families.ts`) unpacked into `<cache>/tree/<package>/`. A stamp per package records the
 * checksum it was unpacked from, so a second run unpacks nothing.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimited } from '../../../src/engine/pipeline/map-limited.ts';
import { debFileName, downloadPinned, extractMembers } from './apt.ts';
import { type FamilyName, familyOf } from './families.ts';
import type { ManifestPackage } from './manifest.ts';

export interface UnpackedPackage {
  readonly pkg: ManifestPackage;
  /** Directories holding its source (the family's roots that exist). */
  readonly roots: readonly string[];
}

export const DEFAULT_CACHE = new URL('../../../models/.data/debian/', import.meta.url).pathname;

/**
 * Downloads and unpacks every package of `packages` under `cache`. Packages the archive no longer serves
 * at their pinned version are reported and left out, unless `requireAll`.
 */
export async function unpackPackages(
  packages: readonly ManifestPackage[],
  options: { cache?: string; requireAll?: boolean; log?: (line: string) => void } = {},
): Promise<{ unpacked: UnpackedPackage[]; missing: ManifestPackage[] }> {
  const cache = options.cache ?? DEFAULT_CACHE;
  const log = options.log ?? (() => {});
  const debs = join(cache, 'debs');
  const { missing } = await downloadPinned(packages, debs, log);
  if (missing.length > 0) {
    const names = missing.map((m) => `${m.package}=${m.version}`);
    const message = `${missing.length} pinned packages are no longer served: ${names.slice(0, 5).join(', ')}…`;
    if (options.requireAll) throw new Error(message);
    log(message);
  }
  const gone = new Set(missing.map((m) => m.package));
  const missingPackages = packages.filter((p) => gone.has(p.package));
  const todo = packages.filter((p) => !gone.has(p.package));
  // Four at a time: each unpacking is two short-lived processes.
  const unpacked = await mapLimited(todo, 4, async (pkg): Promise<UnpackedPackage> => {
    const family = familyOf(pkg.family as FamilyName);
    const dest = join(cache, 'tree', pkg.package);
    const stamp = join(dest, '.unpacked');
    if ((await readFile(stamp, 'utf8').catch(() => '')) !== pkg.sha256) {
      await rm(dest, { recursive: true, force: true });
      await extractMembers(
        join(debs, debFileName(pkg.package, pkg.version, pkg.architecture)),
        dest,
        family.members,
      );
      await writeFile(stamp, pkg.sha256);
    }
    return { pkg, roots: family.roots.map((r) => join(dest, r)).filter((r) => existsSync(r)) };
  });
  return { unpacked, missing: missingPackages };
}
