/**
 * Builds the Lambda layer folders under layers/build and prints what each holds. `npx cdk synth` does the
 * same on its own; run this to inspect the layers or to warm the cache.
 *
 *   node scripts/build-layers.ts [--architecture x86_64|arm64] [--model models/default]
 */
import { parseArgs } from 'node:util';
import { buildLayers, LAMBDA_ARCHITECTURES, type LambdaArchitecture } from './layers/index.ts';

const { values } = parseArgs({
  options: {
    architecture: { type: 'string', default: 'x86_64' },
    model: { type: 'string' },
  },
});

const architecture = values.architecture as LambdaArchitecture;
if (!LAMBDA_ARCHITECTURES.includes(architecture)) {
  console.error(`--architecture must be one of ${LAMBDA_ARCHITECTURES.join(', ')}`);
  process.exit(2);
}

const started = performance.now();
const layers = buildLayers({ architecture, modelDir: values.model });
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
for (const layer of Object.values(layers)) {
  console.log(`${layer.name.padEnd(12)} ${mb(layer.bytes).padStart(9)}  ${layer.dir}`);
}
const total = Object.values(layers).reduce((sum, layer) => sum + layer.bytes, 0);
console.log(
  `${'all layers'.padEnd(12)} ${mb(total).padStart(9)}  (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
