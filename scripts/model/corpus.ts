/**
 * The fixed training corpus of the interim model: permissively licensed JS/TS sources that ship inside our
 * own node_modules. The list is explicit (package, version, licence, which files) so that a rebuild on another
 * machine either reads exactly the same text or stops with an error. Packages we later evaluate search on
 * (zod, commander, ignore, picomatch, apache-arrow) are deliberately absent.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface CorpusSource {
  /** npm package name. */
  readonly name: string;
  /** Directory of the installed package, relative to the repository root. */
  readonly root: string;
  readonly version: string;
  /** SPDX id, checked against the installed package.json. */
  readonly license: string;
  /** Which files of the package to read (POSIX path relative to `root`). */
  readonly include: (path: string) => boolean;
  /** One line for the data card. */
  readonly note: string;
}

const js = /\.(?:js|mjs|cjs)$/;
const dts = /\.d\.(?:ts|mts|cts)$/;

export const CORPUS_SOURCES: readonly CorpusSource[] = [
  {
    name: '@types/node',
    root: 'node_modules/@types/node',
    version: '22.20.5',
    license: 'MIT',
    include: (p) => dts.test(p) && !p.startsWith('ts5.6/') && !p.startsWith('compatibility/'),
    note: 'Node.js API declarations with TSDoc (fs, http, streams, crypto, workers…)',
  },
  {
    name: '@typescript/typescript-linux-x64',
    root: 'node_modules/@typescript/typescript-linux-x64',
    version: '7.0.2',
    license: 'Apache-2.0',
    include: (p) => p.startsWith('lib/') && dts.test(p),
    note: 'TypeScript standard library declarations (lib.es*.d.ts, lib.dom.d.ts…)',
  },
  {
    name: 'undici-types',
    root: 'node_modules/undici-types',
    version: '6.21.0',
    license: 'MIT',
    include: (p) => dts.test(p),
    note: 'HTTP client declarations (fetch, pools, retries, websockets)',
  },
  {
    name: 'lodash',
    root: 'node_modules/protobufjs/cli/node_modules/lodash',
    version: '4.17.21',
    license: 'MIT',
    // One module per function; the monolithic builds and the fp/ wrappers would repeat the same code.
    include: (p) => js.test(p) && !p.includes('/') && !/^(?:lodash|core|fp)(?:\.min)?\.js$/.test(p),
    note: 'utility functions, one module each, with JSDoc',
  },
  {
    name: 'bluebird',
    root: 'node_modules/protobufjs/cli/node_modules/bluebird',
    version: '3.7.2',
    license: 'MIT',
    include: (p) => p.startsWith('js/release/') && js.test(p),
    note: 'promise library (timeouts, cancellation, retries via catch/filter)',
  },
  {
    name: 'protobufjs',
    root: 'node_modules/protobufjs',
    version: '6.11.6',
    license: 'BSD-3-Clause',
    include: (p) => (p.startsWith('src/') && js.test(p)) || p === 'index.d.ts',
    note: 'protocol buffers runtime: parser, encoder/decoder, reflection',
  },
  {
    name: 'postcss',
    root: 'node_modules/postcss',
    version: '8.5.33',
    license: 'MIT',
    include: (p) =>
      p.startsWith('lib/') && (js.test(p) || dts.test(p)) && !p.endsWith('.mjs') && !p.endsWith('.d.mts'),
    note: 'CSS parser and AST (rules, declarations, at-rules)',
  },
  {
    name: 'markdown-it',
    root: 'node_modules/protobufjs/cli/node_modules/markdown-it',
    version: '12.3.2',
    license: 'MIT',
    include: (p) => p.startsWith('lib/') && js.test(p),
    note: 'Markdown parser and renderer',
  },
  {
    name: 'jsdoc',
    root: 'node_modules/protobufjs/cli/node_modules/jsdoc',
    version: '3.6.11',
    license: 'Apache-2.0',
    include: (p) => p.startsWith('lib/') && js.test(p),
    note: 'documentation generator (parsing, doclets, templates, file system helpers)',
  },
  {
    name: 'semver',
    root: 'node_modules/semver',
    version: '7.8.6',
    license: 'ISC',
    include: (p) => /^(?:classes|functions|internal|ranges)\//.test(p) || p === 'index.js',
    note: 'semantic version parsing and range matching',
  },
  ...(['runner', 'expect', 'snapshot', 'mocker', 'spy', 'utils', 'pretty-format'] as const).map(
    (name): CorpusSource => ({
      name: `@vitest/${name}`,
      root: `node_modules/@vitest/${name}`,
      version: '4.1.12',
      license: 'MIT',
      include: (p) => p.startsWith('dist/') && (js.test(p) || dts.test(p)),
      note: 'test runner internals: tasks, hooks, assertions, snapshots, mocks, diffing',
    }),
  ),
  {
    name: 'vite',
    root: 'node_modules/vite',
    version: '8.3.8',
    license: 'MIT',
    include: (p) => (p.startsWith('dist/') || p.startsWith('types/')) && (js.test(p) || dts.test(p)),
    note: 'dev server and build tool: config, plugins, HMR, module graph, CSS handling',
  },
  {
    name: 'vitest',
    root: 'node_modules/vitest',
    version: '4.1.12',
    license: 'MIT',
    include: (p) => p.startsWith('dist/') && (js.test(p) || dts.test(p)),
    note: 'test framework: CLI, workers, reporters, coverage, config',
  },
  {
    name: 'rolldown',
    root: 'node_modules/rolldown',
    version: '1.2.19',
    license: 'MIT',
    include: (p) => p.startsWith('dist/') && (js.test(p) || dts.test(p)),
    note: 'bundler API: options, plugins, hooks, watch mode',
  },
  {
    name: 'fast-check',
    root: 'node_modules/fast-check',
    version: '4.10.2',
    license: 'MIT',
    include: (p) => p === 'lib/fast-check.js' || p === 'lib/fast-check.d.ts',
    note: 'property-based testing: arbitraries, shrinking, runners',
  },
  {
    name: 'onnxruntime-common',
    root: 'node_modules/onnxruntime-common',
    version: '1.30.0',
    license: 'MIT',
    include: (p) => p.startsWith('dist/esm/') && (js.test(p) || dts.test(p)),
    note: 'ONNX Runtime JS API: tensors, sessions, backends',
  },
  {
    name: '@babel/parser',
    root: 'node_modules/protobufjs/cli/node_modules/@babel/parser',
    version: '7.18.13',
    license: 'MIT',
    include: (p) => p === 'lib/index.js',
    note: 'JavaScript/TypeScript/JSX parser',
  },
  {
    name: 'acorn',
    root: 'node_modules/protobufjs/cli/node_modules/acorn',
    version: '8.8.0',
    license: 'MIT',
    include: (p) => p === 'dist/acorn.js' || p === 'dist/acorn.d.ts',
    note: 'JavaScript parser',
  },
  {
    name: 'escodegen',
    root: 'node_modules/protobufjs/cli/node_modules/escodegen',
    version: '1.14.3',
    license: 'BSD-2-Clause',
    include: (p) => p === 'escodegen.js',
    note: 'JavaScript code generator from ASTs',
  },
  {
    name: 'marked',
    root: 'node_modules/protobufjs/cli/node_modules/marked',
    version: '4.0.19',
    license: 'MIT',
    include: (p) => p.startsWith('src/') && js.test(p),
    note: 'Markdown lexer, parser and renderer',
  },
  {
    name: 'source-map',
    root: 'node_modules/protobufjs/cli/node_modules/source-map',
    version: '0.6.1',
    license: 'BSD-3-Clause',
    include: (p) => p.startsWith('lib/') && js.test(p),
    note: 'source map generation and consumption',
  },
  {
    name: 'entities',
    root: 'node_modules/protobufjs/cli/node_modules/entities',
    version: '2.1.0',
    license: 'BSD-2-Clause',
    include: (p) => p.startsWith('lib/') && js.test(p),
    note: 'HTML/XML entity encoding and decoding',
  },
  {
    name: 'js2xmlparser',
    root: 'node_modules/protobufjs/cli/node_modules/js2xmlparser',
    version: '4.0.2',
    license: 'Apache-2.0',
    include: (p) => p.startsWith('lib/') && js.test(p),
    note: 'JavaScript objects to XML',
  },
];

export interface CorpusFile {
  readonly source: CorpusSource;
  /** POSIX path relative to the package root. */
  readonly path: string;
  readonly text: string;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...walk(full));
    } else if (entry.isFile()) out.push(full);
  }
  return out;
}

export interface SkippedCounts {
  readonly duplicate: number;
  readonly tooLarge: number;
  readonly mentionsHeldOutPackage: number;
}

/** Files larger than this are generated tables rather than code people write (lib.dom.d.ts, 2.3 MB, fits). */
const MAX_FILE_BYTES = 3_000_000;

/**
 * Bundles sometimes inline their dependencies. A file that mentions one of the packages we evaluate on is
 * left out, so that none of their code can leak into the model.
 */
export const HELD_OUT_MARKERS = /picomatch|\bzod\b|commander|apache-arrow|node-ignore|KEY_IGNORE/;

/**
 * Reads every corpus file, sorted by (package, path); drops byte-identical duplicates, huge files and files
 * that mention a held-out package, and counts what it dropped.
 * @throws Error if a package is missing or its installed version/licence differs from the fixed list.
 */
export function readCorpus(repoRoot: string): { files: CorpusFile[]; skipped: SkippedCounts } {
  const files: CorpusFile[] = [];
  const skipped = { duplicate: 0, tooLarge: 0, mentionsHeldOutPackage: 0 };
  const seen = new Set<string>();
  for (const source of CORPUS_SOURCES) {
    const root = join(repoRoot, source.root);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version: string;
      license: string;
    };
    if (pkg.version !== source.version || pkg.license !== source.license) {
      throw new Error(
        `${source.name}: expected ${source.version} (${source.license}), found ${pkg.version} (${pkg.license}); ` +
          'update CORPUS_SOURCES deliberately if the corpus should change',
      );
    }
    const paths = walk(root)
      .map((full) => relative(root, full).split('\\').join('/'))
      .filter((p) => source.include(p))
      .sort();
    for (const path of paths) {
      const full = join(root, path);
      if (statSync(full).size > MAX_FILE_BYTES) {
        skipped.tooLarge++;
        continue;
      }
      const text = readFileSync(full, 'utf8');
      if (HELD_OUT_MARKERS.test(text)) {
        skipped.mentionsHeldOutPackage++;
        continue;
      }
      const digest = createHash('sha256').update(text).digest('hex');
      if (seen.has(digest)) {
        skipped.duplicate++;
        continue;
      }
      seen.add(digest);
      files.push({ source, path, text });
    }
  }
  return { files, skipped };
}

/** Non-overlapping windows of `lines` lines: the "documents" over which document frequency is counted. */
export function splitIntoWindows(text: string, lines = 40): string[] {
  const all = text.split('\n');
  const windows: string[] = [];
  for (let i = 0; i < all.length; i += lines) {
    const window = all.slice(i, i + lines).join('\n');
    if (window.trim().length > 0) windows.push(window);
  }
  return windows;
}
