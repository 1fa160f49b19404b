/**
 * How every function is bundled: esbuild, locally (no Docker). The handler becomes CommonJS, so that
 * `require()` finds the layer packages through Lambda's NODE_PATH (/opt/nodejs/node_modules), with
 * `import.meta.url` supplied by a shim. Worker-thread scripts the handler starts are bundled beside it as ES
 * modules (see bundle-worker-entry.ts). Layer and runtime packages stay out of every bundle.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LAYER_MODULES, RUNTIME_MODULES } from './external-modules.ts';

/** A worker-thread script bundled beside the handler. */
export interface WorkerEntry {
  /** Source file, relative to the project root. */
  readonly entry: string;
  /** File name in the function's folder (`/var/task/<outfile>`); `.mjs`, as it is an ES module. */
  readonly outfile: string;
}

/** The inference worker the embedder starts; the function's environment points the embedder at it. */
export const EMBEDDING_WORKER: WorkerEntry = {
  entry: 'src/engine/embedding/worker.ts',
  outfile: 'embedding-worker.mjs',
};

/** The chunking worker: every function that chunks does it in a worker thread, with a per-file deadline. */
export const CHUNKING_WORKER: WorkerEntry = {
  entry: 'src/engine/chunking/chunking-worker.ts',
  outfile: 'chunking-worker.mjs',
};

const IMPORT_META_SHIM = fileURLToPath(new URL('./import-meta-url.ts', import.meta.url));
const WORKER_BUNDLER = fileURLToPath(new URL('./bundle-worker-entry.ts', import.meta.url));

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The tree-sitter runtime and grammars, copied to where `require.resolve('@vscode/tree-sitter-wasm/…')` from
 * the bundle finds them (`/var/task/node_modules/@vscode/tree-sitter-wasm`), so the chunker needs no option.
 * The grammars go gzipped (22 → 6 MB; the chunker inflates each once per process): the index worker shares
 * Lambda's 250 MB with LanceDB, onnxruntime and the model, and the model needs the room more.
 */
function treeSitterGrammarCommands(inputDir: string, outputDir: string): string[] {
  const source = join(inputDir, 'node_modules', '@vscode', 'tree-sitter-wasm');
  const target = join(outputDir, 'node_modules', '@vscode', 'tree-sitter-wasm');
  return [
    ['mkdir', '-p', join(target, 'wasm')].map(shellQuote).join(' '),
    ['cp', join(source, 'package.json'), join(source, 'LICENSE'), target].map(shellQuote).join(' '),
    `cp ${shellQuote(source)}/wasm/*.wasm ${shellQuote(join(target, 'wasm'))}/`,
    // -n: no name or time stamp in the header, so the same grammar gives the same bytes.
    `gzip -9 -n ${shellQuote(join(target, 'wasm'))}/tree-sitter-*.wasm`,
  ];
}

export interface FunctionBundlingOptions {
  /** Worker-thread scripts the handler starts. @default none */
  readonly workers?: readonly WorkerEntry[];
  /** Ship the tree-sitter WebAssembly files the chunker loads. @default false */
  readonly treeSitterGrammars?: boolean;
}

/** NodejsFunction bundling options for a handler, the worker scripts it starts and the files it reads. */
export function functionBundling(options: FunctionBundlingOptions = {}): BundlingOptions {
  const workers = options.workers ?? [];
  return {
    forceDockerBundling: false,
    format: OutputFormat.CJS,
    target: 'node22',
    externalModules: [...RUNTIME_MODULES, ...LAYER_MODULES],
    inject: [IMPORT_META_SHIM],
    define: { 'import.meta.url': 'importMetaUrl' },
    // Unminified, without source maps: readable stack traces at no cost that matters next to the layers.
    minify: false,
    sourceMap: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // The synth's own Node (22) runs the worker bundler.
      afterBundling: (inputDir, outputDir) => [
        ...workers.map((worker) =>
          [process.execPath, WORKER_BUNDLER, join(inputDir, worker.entry), join(outputDir, worker.outfile)]
            .map(shellQuote)
            .join(' '),
        ),
        ...(options.treeSitterGrammars ? treeSitterGrammarCommands(inputDir, outputDir) : []),
      ],
    },
  };
}
