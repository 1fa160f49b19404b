/**
 * Builds one layer folder from its spec, reproducibly and only when its inputs changed. The folder is named
 * after a hash of everything that shapes it (the build code, the spec, each package's npm integrity and file
 * list, the model files' contents, the strip version): an unchanged input finds the folder already there and
 * costs a few milliseconds. A build writes to a temporary folder and renames it into place, so concurrent
 * builds (two test workers) never see a half-written layer.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isNativeBinary,
  listFiles,
  type PlannedFile,
  planDirectoryFiles,
  planPackageFiles,
} from './layer-files.ts';
import type { LayerSpec } from './layer-specs.ts';
import { type InstalledPackage, resolvePackageClosure } from './package-closure.ts';
import { stripBinary, stripVersion } from './strip-binary.ts';

export interface BuiltLayer {
  readonly name: string;
  readonly description: string;
  /** Absolute path of the layer folder (what Lambda unpacks into /opt). */
  readonly dir: string;
  /** Hex digest of the inputs; also the CDK asset hash, so CDK never re-hashes 200 MB. */
  readonly inputHash: string;
  /** Unzipped size: the sum of the folder's file sizes after stripping. */
  readonly bytes: number;
}

export interface BuildLayerOptions {
  readonly projectRoot: string;
  /** Where layer folders are kept; stale builds of the same layer are removed from it. */
  readonly outRoot: string;
}

/** The build code itself is an input: changing how layers are made must rebuild them. */
const BUILD_CODE_DIR = dirname(fileURLToPath(import.meta.url));

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function buildCodeDigest(): string {
  const files = readdirSync(BUILD_CODE_DIR)
    .filter((name) => name.endsWith('.ts'))
    .sort();
  return sha256(
    files.map((name) => `${name}:${sha256(readFileSync(join(BUILD_CODE_DIR, name)))}`).join('\n'),
  );
}

interface Plan {
  readonly files: readonly PlannedFile[];
  readonly packages: readonly InstalledPackage[];
}

function plan(spec: LayerSpec, projectRoot: string): Plan {
  if (spec.kind === 'directory') return { files: planDirectoryFiles(spec.source, spec.target), packages: [] };
  const packages = resolvePackageClosure(projectRoot, spec.roots, spec.leaveOut, spec.missingHint);
  return { files: planPackageFiles(packages, spec.dropFiles), packages };
}

function inputHash(spec: LayerSpec, { files, packages }: Plan): string {
  const withIntegrity = new Set(packages.filter((p) => p.integrity).map((p) => p.dir));
  const fileDigest = (file: PlannedFile) =>
    // npm's integrity already pins a registry package's bytes; anything else is hashed by content.
    [...withIntegrity].some((dir) => file.source.startsWith(`${dir}/`))
      ? `${file.target}:${file.size}`
      : `${file.target}:${sha256(readFileSync(file.source))}`;
  const needsStrip = files.some((file) => isNativeBinary(file.target));
  const { kind, name } = spec;
  return sha256(
    JSON.stringify({
      build: buildCodeDigest(),
      spec: { kind, name },
      strip: needsStrip ? stripVersion() : null,
      packages: packages.map((p) => [p.layerPath, p.version, p.integrity ?? null]),
      files: files.map(fileDigest),
    }),
  );
}

/** Sum of the sizes of every file below `dir`. */
export function folderBytes(dir: string): number {
  return listFiles(dir).reduce((sum, path) => sum + statSync(join(dir, path)).size, 0);
}

function removeStaleBuilds(outRoot: string, name: string, keep: string): void {
  for (const entry of readdirSync(outRoot)) {
    if (entry.startsWith(`${name}-`) && entry !== keep)
      rmSync(join(outRoot, entry), { recursive: true, force: true });
  }
}

/**
 * Returns the layer folder for `spec`, building it first if no folder with the same input hash exists.
 * @throws MissingPackageError when a package is not installed; an Error when strip is needed but missing.
 */
export function buildLayer(spec: LayerSpec, options: BuildLayerOptions): BuiltLayer {
  const layerPlan = plan(spec, options.projectRoot);
  const hash = inputHash(spec, layerPlan);
  const folderName = `${spec.name}-${hash.slice(0, 16)}`;
  const dir = join(options.outRoot, folderName);

  if (!existsSync(dir)) {
    mkdirSync(options.outRoot, { recursive: true });
    const temporary = join(options.outRoot, `.building-${folderName}-${process.pid}`);
    rmSync(temporary, { recursive: true, force: true });
    for (const file of layerPlan.files) {
      const target = join(temporary, file.target);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file.source, target);
      if (isNativeBinary(file.target)) stripBinary(target);
    }
    try {
      renameSync(temporary, dir);
    } catch (error) {
      // Another process finished the same build first: its folder is identical, keep it.
      rmSync(temporary, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    }
    removeStaleBuilds(options.outRoot, spec.name, folderName);
  }
  return { name: spec.name, description: spec.description, dir, inputHash: hash, bytes: folderBytes(dir) };
}
