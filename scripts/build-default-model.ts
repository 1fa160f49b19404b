/**
 * `npm run build:model`: builds the default model, which is the trained one — the same as
 * `npm run train:model` (see scripts/train-model.ts). The interim model it replaced is built by
 * scripts/model/build-interim-model.ts.
 */
await import('./train-model.ts');
