/**
 * Finds an npm package and everything it needs at run time in an installed node_modules tree, the way Node
 * resolves them (nearest `node_modules` first), so the layer keeps npm's nesting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute folder of the installed package. */
  readonly dir: string;
  /** Path below the project's `node_modules`, e.g. `apache-arrow/node_modules/tslib`: where it goes in the layer. */
  readonly layerPath: string;
  /** npm's integrity hash from package-lock.json: identifies the package's content. */
  readonly integrity: string | undefined;
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
}

interface LockFile {
  readonly packages?: Record<string, { readonly integrity?: string }>;
}

/** Type declarations are never loaded at run time. */
const isTypesOnly = (name: string) => name.startsWith('@types/');

export class MissingPackageError extends Error {}

/** Looks for `name` from `fromDir` upwards, stopping at the project root, as `require()` would. */
function findPackageDir(name: string, fromDir: string, projectRoot: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === projectRoot || dirname(dir) === dir) return undefined;
  }
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/**
 * The packages `roots` need at run time: each root and, recursively, its `dependencies` (not optional or peer
 * ones, which a spec lists as roots when it wants them), minus `leaveOut` and `@types/*`.
 * @throws MissingPackageError naming the package and who needs it, with `hints[name]` when given.
 */
export function resolvePackageClosure(
  projectRoot: string,
  roots: readonly string[],
  leaveOut: Readonly<Record<string, string>>,
  hints: Readonly<Record<string, string>> = {},
): InstalledPackage[] {
  const lock = readJson<LockFile>(join(projectRoot, 'package-lock.json'));
  const nodeModules = join(projectRoot, 'node_modules');
  const found = new Map<string, InstalledPackage>();

  const visit = (name: string, fromDir: string, neededBy: string): void => {
    if (isTypesOnly(name) || name in leaveOut) return;
    const dir = findPackageDir(name, fromDir, projectRoot);
    if (!dir) {
      const hint = hints[name] ? ` ${hints[name]}` : '';
      throw new MissingPackageError(
        `${name} (needed by ${neededBy}) is not installed in node_modules.${hint}`,
      );
    }
    if (found.has(dir)) return;
    const manifest = readJson<PackageJson>(join(dir, 'package.json'));
    const lockKey = relative(projectRoot, dir).split(sep).join('/');
    found.set(dir, {
      name,
      version: manifest.version,
      dir,
      layerPath: relative(nodeModules, dir).split(sep).join('/'),
      integrity: lock.packages?.[lockKey]?.integrity,
    });
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, name);
  };

  for (const root of roots) visit(root, projectRoot, 'the layer spec');
  return [...found.values()].sort((a, b) => a.layerPath.localeCompare(b.layerPath));
}
