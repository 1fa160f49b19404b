/**
 * What goes into each Lambda layer, as data: which npm packages (with their dependencies) or which folder,
 * and what is left out and why. The build (`build-layer.ts`) turns a spec into a folder; its input hash covers
 * this file, so editing a spec rebuilds the layer.
 */

/** Lambda's names for the two instruction sets. */
export type LambdaArchitecture = 'x86_64' | 'arm64';

export const LAMBDA_ARCHITECTURES: readonly LambdaArchitecture[] = ['x86_64', 'arm64'];

/** Node's `process.arch` for each Lambda architecture: native packages are named after it. */
export const NODE_ARCH: Readonly<Record<LambdaArchitecture, 'x64' | 'arm64'>> = {
  x86_64: 'x64',
  arm64: 'arm64',
};

/** npm packages copied from node_modules into `nodejs/node_modules`, where Lambda's NODE_PATH finds them. */
export interface PackagesLayerSpec {
  readonly kind: 'packages';
  readonly name: string;
  readonly description: string;
  /** Packages the functions `require()`; each one's `dependencies` come along, recursively. */
  readonly roots: readonly string[];
  /** Dependencies left out on purpose, each with the reason. */
  readonly leaveOut: Readonly<Record<string, string>>;
  /** Per package: paths (relative to the package, `/`-separated) that are not needed at run time. */
  readonly dropFiles: Readonly<Record<string, (path: string) => boolean>>;
  /** Per package: what to tell the operator when it is not installed. */
  readonly missingHint?: Readonly<Record<string, string>>;
}

/** A folder copied as is (below `target` in the layer, so at `/opt/<target>` in the function). */
export interface DirectoryLayerSpec {
  readonly kind: 'directory';
  readonly name: string;
  readonly description: string;
  /** Absolute path of the folder to copy. */
  readonly source: string;
  /** Folder inside the layer. */
  readonly target: string;
}

export type LayerSpec = PackagesLayerSpec | DirectoryLayerSpec;

/** Where a function finds the model layer's files. */
export const MODEL_LAYER_TARGET = 'model';

/**
 * onnxruntime-node, CPU only, for one platform. The npm package carries every platform's build (288 MB);
 * linux/x64 alone is 45 MB. Its `dependencies` other than onnxruntime-common serve only its install script.
 */
export function onnxRuntimeLayer(architecture: LambdaArchitecture): PackagesLayerSpec {
  const keptBinaries = `bin/napi-v6/linux/${NODE_ARCH[architecture]}/`;
  return {
    kind: 'packages',
    name: 'onnxruntime',
    description: `onnxruntime-node (CPU) for linux/${NODE_ARCH[architecture]}, stripped`,
    roots: ['onnxruntime-node'],
    leaveOut: {
      'adm-zip': 'used only by the install script, which downloads optional GPU libraries',
      'global-agent': 'used only by the install script (HTTP proxy support for that download)',
    },
    dropFiles: {
      'onnxruntime-node': (path) =>
        (path.startsWith('bin/') && !path.startsWith(keptBinaries)) ||
        path.startsWith('script/') ||
        path.startsWith('lib/'),
    },
  };
}

/**
 * LanceDB's JavaScript, its native binary for one platform, and apache-arrow. Arrow is LanceDB's peer
 * dependency and stays out of the function bundles too: LanceDB and our code must share one copy, or Arrow
 * tables built by one are not recognised by the other.
 */
export function lanceDbLayer(architecture: LambdaArchitecture): PackagesLayerSpec {
  const nativePackage = `@lancedb/lancedb-linux-${NODE_ARCH[architecture]}-gnu`;
  return {
    kind: 'packages',
    name: 'lancedb',
    description: `@lancedb/lancedb and apache-arrow for linux/${NODE_ARCH[architecture]} (glibc), stripped`,
    roots: ['@lancedb/lancedb', nativePackage, 'apache-arrow'],
    leaveOut: {
      'command-line-args': "used only by apache-arrow's arrow2csv command",
      'command-line-usage': "used only by apache-arrow's arrow2csv command",
    },
    dropFiles: {
      // Browser bundles and the arrow2csv command.
      'apache-arrow': (path) => path.endsWith('.min.js') || path.startsWith('bin/'),
    },
    missingHint: {
      [nativePackage]:
        architecture === 'arm64'
          ? 'The npm registry has no @lancedb/lancedb-linux-arm64-gnu for this LanceDB version (the last one ' +
            'published is 0.31.0), so arm64 cannot be built: deploy with -c architecture=x86_64.'
          : 'Run `npm ci` on a linux/x64 machine: npm installs only the native build for the machine it runs on.',
    },
  };
}

/** The embedding model folder (`model.onnx`, `tokenizer.json`, `codesearch-model.json`, …). */
export function modelLayer(modelDir: string): DirectoryLayerSpec {
  return {
    kind: 'directory',
    name: 'model',
    description: 'the embedding model',
    source: modelDir,
    target: MODEL_LAYER_TARGET,
  };
}
