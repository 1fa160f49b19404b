/**
 * Where the trained model's (doc comment → code) pairs come from: permissively licensed packages installed in
 * our own node_modules, each pinned to a version and an SPDX licence that the build checks against the
 * installed package.json. A package is in exactly one split — training or validation — and none of the
 * packages we evaluate search on (zod, apache-arrow, commander, picomatch, ignore, in any version) is in
 * either; files that mention them are skipped as well (bundles can inline their dependencies).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Licences we train on. */
export const ALLOWED_LICENSES = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0']);

/** Packages the dev benchmark is built from: never read for training or validation, in any version. */
export const EVALUATION_PACKAGES = new Set(['zod', 'apache-arrow', 'commander', 'picomatch', 'ignore']);

export type Split = 'train' | 'validation';

export interface PairSource {
  /** npm package name. */
  readonly name: string;
  /** Installed package directory, relative to the repository root. */
  readonly root: string;
  readonly version: string;
  /** SPDX id, checked against the installed package.json. */
  readonly license: string;
  readonly split: Split;
  /** Which files to read (POSIX path relative to `root`); declaration files only if this accepts them. */
  readonly include: (path: string) => boolean;
  /** At most this many pairs from the package (declaration-heavy packages would otherwise dominate). */
  readonly maxPairs?: number;
}

const CODE = /\.(?:[cm]?js|ts|tsx)$/;
const DECLARATIONS = /\.d\.[cm]?ts$/;
/** Tests, examples, minified copies and old-TypeScript type copies are never read. */
const ALWAYS_EXCLUDED =
  /(?:^|\/)(?:node_modules|test|tests|__tests__|examples?|docs?|bench|benchmarks?|ts3\.4)\/|\.min\.js$/;

/** Implementation files (not declarations) under one of `dirs` ('' = anywhere). */
const implementation =
  (...dirs: string[]) =>
  (p: string): boolean =>
    !DECLARATIONS.test(p) && dirs.some((d) => p.startsWith(d));
/** Implementation files directly in the package root. */
const topLevel = (p: string): boolean => !p.includes('/') && !DECLARATIONS.test(p);
const only =
  (...paths: string[]) =>
  (p: string): boolean =>
    paths.includes(p);
const either =
  (...tests: ((p: string) => boolean)[]) =>
  (p: string): boolean =>
    tests.some((t) => t(p));
/** Declaration files under one of `dirs`. */
const declarations =
  (...dirs: string[]) =>
  (p: string): boolean =>
    DECLARATIONS.test(p) && dirs.some((d) => p.startsWith(d));

type SourceRow = [
  name: string,
  version: string,
  license: string,
  include: (p: string) => boolean,
  maxPairs?: number,
];

const rows = (split: Split, root: (name: string) => string, list: SourceRow[]): PairSource[] =>
  list.map(([name, version, license, include, maxPairs]) => ({
    name,
    root: root(name),
    version,
    license,
    split,
    include,
    ...(maxPairs === undefined ? {} : { maxPairs }),
  }));
const installed = (name: string) => `node_modules/${name}`;

/** aws-cdk-lib's hand-written constructs; the generated CloudFormation bindings repeat one template. */
const AWS_CDK_MODULES = /^[a-z0-9-]+\/lib\/(?!.*\.generated\.d\.ts$).*\.d\.ts$/;

export const PAIR_SOURCES: readonly PairSource[] = [
  // Training: implementation code with JSDoc.
  ...rows('train', installed, [
    ['lodash', '4.18.1', 'MIT', (p) => topLevel(p) && !/^(?:lodash|core|fp)(?:\.min)?\.js$/.test(p)],
    ['protobufjs', '6.11.6', 'BSD-3-Clause', implementation('src/', 'ext/', 'cli/')],
    ['fast-check', '4.10.2', 'MIT', only('lib/fast-check.js', 'lib/fast-check.d.ts')],
    ['vite', '8.3.8', 'MIT', either(implementation('dist/'), declarations('dist/', 'types/'))],
    ['vitest', '4.1.12', 'MIT', either(implementation('dist/'), declarations('dist/'))],
    ['rolldown', '1.2.19', 'MIT', either(implementation('dist/'), declarations('dist/'))],
    ['winston', '3.19.0', 'MIT', implementation('lib/')],
    ['koa', '2.16.4', 'MIT', implementation('lib/')],
    ['command-line-args', '5.2.1', 'MIT', implementation('lib/')],
    ['table-layout', '4.1.1', 'MIT', implementation('lib/', 'index.js')],
    ['logform', '2.7.0', 'MIT', topLevel],
    ['negotiator', '0.6.3', 'MIT', implementation('lib/', 'index.js')],
    ['debug', '4.4.3', 'MIT', implementation('src/')],
    ['obliterator', '1.6.1', 'MIT', topLevel],
    ['chai', '6.3.0', 'MIT', only('index.js')],
    ['s3rver', '3.7.1', 'MIT', implementation('lib/')],
    ['typescript', '7.0.2', 'Apache-2.0', (p) => p.startsWith('dist/') || p.startsWith('lib/')],
    [
      '@huggingface/tokenizers',
      '0.2.0',
      'Apache-2.0',
      either(implementation('dist/'), declarations('types/')),
    ],
    ['cdk-nag', '3.0.2', 'Apache-2.0', (p) => p.startsWith('lib/'), 600],
    [
      'playwright-core',
      '1.65.1',
      'Apache-2.0',
      either(implementation('lib/'), only('types/types.d.ts')),
      4000,
    ],
    ['source-map-js', '1.2.4', 'BSD-3-Clause', implementation('lib/')],
    ['bowser', '2.15.0', 'MIT', implementation('src/')],
    ['adm-zip', '0.6.1', 'MIT', implementation('')],
    ['reflect-metadata', '0.2.2', 'Apache-2.0', only('Reflect.js')],
    ['level-transcoder', '1.0.1', 'MIT', implementation('lib/', 'index.js')],
    ['tinybench', '2.9.0', 'MIT', only('dist/index.js')],
    ['pure-rand', '8.4.2', 'MIT', implementation('lib/esm/')],
    ['@vscode/tree-sitter-wasm', '0.3.1', 'MIT', implementation('wasm/')],
    ['constructs', '10.8.1', 'Apache-2.0', implementation('lib/')],
    ['co', '4.6.0', 'MIT', only('index.js')],
    ['depd', '1.1.2', 'MIT', only('index.js')],
    ['content-disposition', '0.5.4', 'MIT', only('index.js')],
    ['semver', '7.8.6', 'ISC', implementation('classes/', 'functions/', 'internal/', 'ranges/')],
    ['path-to-regexp', '6.3.0', 'MIT', only('dist/index.js')],
    ['jose', '6.2.17', 'MIT', declarations('dist/types/')],
    ['onnx-proto', '8.0.1', 'MIT', only('dist/onnx.js'), 200],
    ['@lancedb/lancedb', '0.39.0', 'Apache-2.0', (p) => p.startsWith('dist/')],
  ]),
  ...rows('train', () => 'node_modules/aws-cdk-lib/node_modules/yaml', [
    ['yaml', '1.10.3', 'ISC', implementation('dist/')],
  ]),
  // Training: declarations. The code side is a signature rather than a body, but the words are the same.
  ...rows('train', installed, [
    ['@typescript/typescript-linux-x64', '7.0.2', 'Apache-2.0', declarations('lib/')],
    ['@types/node', '22.20.5', 'MIT', (p) => DECLARATIONS.test(p) && !/^(?:ts5\.6|compatibility)\//.test(p)],
    ['undici-types', '6.21.0', 'MIT', declarations('')],
    ['@types/aws-lambda', '8.10.164', 'MIT', declarations(''), 500],
    ['aws-cdk-lib', '2.276.0', 'Apache-2.0', (p) => AWS_CDK_MODULES.test(p), 12000],
    ['@smithy/core', '3.41.0', 'Apache-2.0', declarations('dist-types/')],
    ['@aws-sdk/client-s3', '3.1162.0', 'Apache-2.0', declarations('dist-types/'), 1000],
    ['@aws-sdk/client-dynamodb', '3.1162.0', 'Apache-2.0', declarations('dist-types/'), 1000],
    ['@aws-sdk/client-sqs', '3.1162.0', 'Apache-2.0', declarations('dist-types/'), 500],
    ['@aws-sdk/client-secrets-manager', '3.1162.0', 'Apache-2.0', declarations('dist-types/'), 500],
    ['@smithy/types', '4.20.0', 'Apache-2.0', declarations('dist-types/')],
    ['@octokit/webhooks-types', '7.6.1', 'MIT', declarations(''), 500],
  ]),
  // Validation: implementation code, only to choose settings and to report; never trained on.
  ...rows('validation', installed, [
    ['mnemonist', '0.38.3', 'MIT', implementation('')],
    ['async', '3.2.6', 'MIT', (p) => (topLevel(p) || p.startsWith('internal/')) && p.endsWith('.js')],
    ['flatbuffers', '24.12.23', 'Apache-2.0', implementation('ts/')],
    [
      '@opentelemetry/api',
      '1.10.0',
      'Apache-2.0',
      (p) => p.startsWith('dist/') && p.endsWith('.mjs') && !DECLARATIONS.test(p),
    ],
    ['long', '4.0.0', 'Apache-2.0', only('src/long.js')],
    ['estree-walker', '3.0.3', 'MIT', implementation('src/')],
    ['onnxruntime-common', '1.30.0', 'MIT', implementation('lib/')],
  ]),
];

export interface SourceFile {
  readonly source: PairSource;
  /** POSIX path relative to the package root. */
  readonly path: string;
  readonly text: string;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...walk(full));
    } else if (entry.isFile()) out.push(full);
  }
  return out;
}

const MAX_FILE_BYTES = 3_000_000;

/**
 * Checks every source (installed version and licence as pinned, licence allowed, not an evaluation package,
 * no package in both splits).
 * @throws Error naming the first source that fails.
 */
export function checkSources(repoRoot: string, sources: readonly PairSource[] = PAIR_SOURCES): void {
  const splitOf = new Map<string, Split>();
  for (const source of sources) {
    if (EVALUATION_PACKAGES.has(source.name)) throw new Error(`${source.name} is an evaluation package`);
    if (!ALLOWED_LICENSES.has(source.license))
      throw new Error(`${source.name}: licence ${source.license} is not allowed`);
    const previous = splitOf.get(source.name);
    if (previous !== undefined && previous !== source.split)
      throw new Error(`${source.name} is in both splits`);
    splitOf.set(source.name, source.split);
    const pkg = JSON.parse(readFileSync(join(repoRoot, source.root, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    if (pkg.name !== source.name || pkg.version !== source.version || pkg.license !== source.license) {
      throw new Error(
        `${source.root}: expected ${source.name}@${source.version} (${source.license}), found ` +
          `${pkg.name}@${pkg.version} (${pkg.license}); update PAIR_SOURCES deliberately if the data should change`,
      );
    }
  }
}

export interface ReadStats {
  duplicate: number;
  tooLarge: number;
  mentionsEvaluationPackage: number;
}

/**
 * Reads the files of `sources` in a fixed order (source list order, then path), skipping byte-identical
 * duplicates, files over 3 MB and files that mention an evaluation package.
 */
export function readSourceFiles(
  repoRoot: string,
  sources: readonly PairSource[],
  heldOutMarkers: RegExp,
): { files: SourceFile[]; stats: ReadStats } {
  const files: SourceFile[] = [];
  const stats: ReadStats = { duplicate: 0, tooLarge: 0, mentionsEvaluationPackage: 0 };
  const seen = new Set<string>();
  for (const source of sources) {
    const root = join(repoRoot, source.root);
    const paths = walk(root)
      .map((full) => relative(root, full).split('\\').join('/'))
      .filter((p) => CODE.test(p) && !ALWAYS_EXCLUDED.test(p) && source.include(p));
    for (const path of paths) {
      const full = join(root, path);
      if (statSync(full).size > MAX_FILE_BYTES) {
        stats.tooLarge++;
        continue;
      }
      const text = readFileSync(full, 'utf8');
      if (heldOutMarkers.test(text)) {
        stats.mentionsEvaluationPackage++;
        continue;
      }
      const digest = createHash('sha256').update(text).digest('hex');
      if (seen.has(digest)) {
        stats.duplicate++;
        continue;
      }
      seen.add(digest);
      files.push({ source, path, text });
    }
  }
  return { files, stats };
}
