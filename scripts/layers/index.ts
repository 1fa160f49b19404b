/**
 * The layers every codesearch deployment uses, built from node_modules and the model folder. The CDK app calls
 * `buildLayers` on every synth (cheap when nothing changed); `scripts/build-layers.ts` runs it by hand.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuiltLayer, buildLayer } from './build-layer.ts';
import { type LambdaArchitecture, lanceDbLayer, modelLayer, onnxRuntimeLayer } from './layer-specs.ts';

export type { BuiltLayer } from './build-layer.ts';
export { folderBytes } from './build-layer.ts';
export {
  LAMBDA_ARCHITECTURES,
  type LambdaArchitecture,
  MODEL_LAYER_TARGET,
  NODE_ARCH,
} from './layer-specs.ts';
export { MissingPackageError } from './package-closure.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The bundled model, `models/default`. */
export const DEFAULT_MODEL_DIR = join(PROJECT_ROOT, 'models', 'default');

/** Where built layer folders live (git-ignored). */
export const LAYER_BUILD_DIR = join(PROJECT_ROOT, 'layers', 'build');

export interface RuntimeLayerFolders {
  readonly onnxRuntime: BuiltLayer;
  readonly lanceDb: BuiltLayer;
  readonly model: BuiltLayer;
}

export interface BuildLayersOptions {
  /** @default 'x86_64' */
  readonly architecture?: LambdaArchitecture;
  /**
   * Model folder shipped in the model layer (relative paths are relative to the project root).
   * @default models/default
   */
  readonly modelDir?: string;
  /** @default layers/build */
  readonly outRoot?: string;
}

export function buildLayers(options: BuildLayersOptions = {}): RuntimeLayerFolders {
  const architecture = options.architecture ?? 'x86_64';
  const build = { projectRoot: PROJECT_ROOT, outRoot: options.outRoot ?? LAYER_BUILD_DIR };
  // LanceDB first: its native package is the one most likely missing (arm64), and nothing is built in vain.
  const lanceDb = buildLayer(lanceDbLayer(architecture), build);
  return {
    onnxRuntime: buildLayer(onnxRuntimeLayer(architecture), build),
    lanceDb,
    model: buildLayer(modelLayer(resolve(PROJECT_ROOT, options.modelDir ?? DEFAULT_MODEL_DIR)), build),
  };
}
