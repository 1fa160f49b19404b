/**
 * Packages that stay out of every bundle: the layers provide some, the Lambda runtime the others.
 */

/** Provided by the layers (see scripts/layers/layer-specs.ts). */
export const LAYER_MODULES: readonly string[] = ['@lancedb/lancedb', 'apache-arrow', 'onnxruntime-node'];

/** Provided by the nodejs22.x runtime itself (AWS SDK v3): bundling it would only add megabytes. */
export const RUNTIME_MODULES: readonly string[] = ['@aws-sdk/*'];
