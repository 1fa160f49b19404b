/**
 * Trains the default embedding model and writes it to models/default (or --out):
 *   model.onnx, tokenizer.json, tokenizer_config.json, codesearch-model.json, DATA_CARD.md
 *
 *   npm run train:model [-- --out DIR] [--epochs N] [--no-export] [--bench DIR --bench-home DIR]
 *
 * 1. Pairs: documented definitions of permissively licensed packages in node_modules (`model/training-sources.ts`),
 *    chunked by the engine's own chunker (`model/benchmark-pairs.ts`), split by package into training and
 *    validation.
 * 2. Start: the interim model's vocabulary, tokenizer, IDF weights and random token vectors.
 * 3. Train: in-batch softmax over scaled cosine similarity (`model/bag-encoder.ts`, `model/trainer.ts`).
 * 4. Export: an ONNX graph the generic loader reads (`model/weighted-bag-graph.ts`), checked against the
 *    trainer's own forward pass through `createOnnxEmbedder`.
 *
 * Deterministic: the same node_modules and settings give the same bytes.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTrainingRun, DEFAULT_SETTINGS, type ModelSettings } from './model/training-run.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'no-export': { type: 'boolean', default: false },
      'data-cache': { type: 'string' },
      bench: { type: 'string' },
      'bench-home': { type: 'string' },
      'bench-repo': { type: 'string', default: 'devbench' },
      set: { type: 'string', multiple: true, default: [] },
    },
  });
  // --set key=value overrides one setting (numbers and booleans parsed), for experiments.
  const overrides: Record<string, unknown> = {};
  for (const pair of values.set ?? []) {
    const [key, raw] = pair.split('=');
    if (!key || raw === undefined || !(key in DEFAULT_SETTINGS))
      throw new Error(`unknown setting in --set ${pair}`);
    overrides[key] =
      raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  const settings: ModelSettings = { ...DEFAULT_SETTINGS, ...overrides };
  await buildTrainingRun({
    repoRoot,
    settings,
    outDir: values['no-export'] ? undefined : (values.out ?? `${repoRoot}models/default`),
    dataCache: values['data-cache'],
    bench:
      values.bench && values['bench-home']
        ? { dir: values.bench, home: values['bench-home'], repo: values['bench-repo'] ?? 'devbench' }
        : undefined,
    log: (line) => process.stdout.write(`${line}\n`),
  });
}

await main();
