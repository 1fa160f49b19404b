/**
 * Bundles a worker-thread script as an ES module beside a function's handler. Worker scripts use top-level
 * `await`, which esbuild cannot emit as CommonJS; but an ES module cannot `import` the layer packages,
 * because ESM resolution ignores NODE_PATH (/opt/nodejs/node_modules). So imports of layer and runtime
 * packages are rewritten into `require()` through `createRequire`, which does honour NODE_PATH.
 *
 *   node infra/bundling/bundle-worker-entry.ts <entry.ts> <outfile.mjs>
 */
import { argv } from 'node:process';
import { build, type Plugin } from 'esbuild';
import { LAYER_MODULES, RUNTIME_MODULES } from './external-modules.ts';

const EXTERNAL = new RegExp(
  `^(${[...LAYER_MODULES, ...RUNTIME_MODULES].map((m) => m.replace('/*', '/').replace(/[.]/g, '\\.')).join('|')})`,
);

/** Turns `import … from '<external>'` into a CommonJS shim around `require('<external>')`. */
const requireExternals: Plugin = {
  name: 'require-externals',
  setup(builder) {
    builder.onResolve({ filter: EXTERNAL }, (args) =>
      args.namespace === 'required-external'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'required-external' },
    );
    builder.onLoad({ filter: /.*/, namespace: 'required-external' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

const [entry, outfile] = argv.slice(2);
if (!entry || !outfile) throw new Error('usage: bundle-worker-entry.ts <entry> <outfile>');

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  banner: {
    // Aliased: a bundled module may import `createRequire` itself (the tree-sitter runtime does). The
    // tree-sitter runtime also finds its own files through `__filename`, which an ES module lacks.
    js: [
      "import { createRequire as __bannerCreateRequire } from 'node:module';",
      "import { fileURLToPath as __bannerFileURLToPath } from 'node:url';",
      'const require = __bannerCreateRequire(import.meta.url);',
      'const __filename = __bannerFileURLToPath(import.meta.url);',
    ].join(' '),
  },
  plugins: [requireExternals],
  logLevel: 'warning',
});
