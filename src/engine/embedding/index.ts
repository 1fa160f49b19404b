/** Public surface of the embedding module. */

export { usableCpuCount } from './cpu-budget.ts';
export { EmbeddingError } from './embedding-error.ts';
export type { ModelConfig, ModelDirectory } from './model-directory.ts';
export { ModelConfigSchema, readModelDirectory } from './model-directory.ts';
export type { OnnxEmbedder, OnnxEmbedderOptions } from './onnx-embedder.ts';
export { createOnnxEmbedder, DEFAULT_BATCH_SIZE, DEFAULT_MODEL_DIR } from './onnx-embedder.ts';
