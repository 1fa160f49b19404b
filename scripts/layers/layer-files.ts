/**
 * Which files of a package or folder go into a layer, and where. Pure listing: nothing is copied here, so the
 * input hash can be computed from the plan before deciding whether to build.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { InstalledPackage } from './package-closure.ts';

export interface PlannedFile {
  /** Absolute source path. */
  readonly source: string;
  /** `/`-separated path inside the layer folder. */
  readonly target: string;
  readonly size: number;
}

/** Licence and notice files always ship, whatever their extension. */
const LICENCE_FILE = /^(licen[cs]e|notice|copying|authors)|third_party_licenses/i;

/** Declarations, TypeScript sources, source maps and docs are never loaded at run time. */
const NOT_RUNTIME = /(\.[cm]?ts|\.map|\.md|\.markdown|\.tsbuildinfo)$/i;

/** True for files a layer needs: everything but documentation, typings and source maps (licences stay). */
export function isRuntimeFile(path: string): boolean {
  const name = basename(path);
  return LICENCE_FILE.test(name) || !NOT_RUNTIME.test(name);
}

/** Every file below `dir` as `/`-separated relative paths, sorted; `skipDir` prunes folders by relative path. */
export function listFiles(dir: string, skipDir: (path: string) => boolean = () => false): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    const absolute = relative === '' ? dir : join(dir, relative);
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skipDir(path)) walk(path);
      } else if (entry.isFile() || statSync(join(absolute, entry.name)).isFile()) {
        files.push(path);
      }
    }
  };
  walk('');
  return files.sort();
}

/**
 * The files of each package below `nodejs/node_modules/<layerPath>`. A package's own nested `node_modules` is
 * skipped: the dependencies in it are packages of the closure and are listed on their own.
 */
export function planPackageFiles(
  packages: readonly InstalledPackage[],
  dropFiles: Readonly<Record<string, (path: string) => boolean>>,
): PlannedFile[] {
  return packages.flatMap((pkg) => {
    const drop = dropFiles[pkg.name] ?? (() => false);
    return listFiles(pkg.dir, (path) => basename(path) === 'node_modules')
      .filter((path) => isRuntimeFile(path) && !drop(path))
      .map((path) => {
        const source = join(pkg.dir, path);
        return {
          source,
          target: `nodejs/node_modules/${pkg.layerPath}/${path}`,
          size: statSync(source).size,
        };
      });
  });
}

/** Every file of `dir` below `target`, hidden files excepted. */
export function planDirectoryFiles(dir: string, target: string): PlannedFile[] {
  return listFiles(dir, (path) => basename(path).startsWith('.'))
    .filter((path) => !basename(path).startsWith('.'))
    .map((path) => {
      const source = join(dir, path);
      return { source, target: `${target}/${path}`, size: statSync(source).size };
    });
}

/** Native code: Node addons and shared libraries, the files worth stripping. */
export function isNativeBinary(path: string): boolean {
  return /\.node$|\.so(\.\d+)*$/.test(path);
}
