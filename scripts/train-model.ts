/**
 * Trains the default embedding model and writes it to models/default (or --out):
 *   model.onnx, tokenizer.json, tokenizer_config.json, codesearch-model.json, DATA_CARD.md
 *
 *   npm run train:model [-- --out DIR] [--no-export] [--no-retrieval-bench] [--set key=value …]
 *
 * 1. Pairs: documented definitions (and comments inside code) of the Debian packages pinned in
 *    `model/debian/packages.json` (fetched with apt-get download, checked, unpacked; `model/debian/`), and of
 *    permissively licensed packages in node_modules (`model/training-sources.ts`); split by package into
 *    training and validation.
 * 2. Start: a WordPiece vocabulary chosen from the pairs, IDF weights and seeded random token vectors.
 * 3. Train: in-batch softmax over scaled cosine similarity (`model/bag-encoder.ts`, `model/trainer.ts`).
 * 4. Export: an ONNX graph the generic loader reads (`model/weighted-bag-graph.ts`), checked against the
 *    trainer's own forward pass through `createOnnxEmbedder`.
 * 5. Evaluate: `npm run bench:retrieval` on the exported model, into the data card.
 *
 * Deterministic: the same packages and settings give the same bytes.
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
      'no-retrieval-bench': { type: 'boolean', default: false },
      'data-cache': { type: 'string' },
      checkpoint: { type: 'string' },
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
    retrievalBench: !values['no-retrieval-bench'],
    checkpoint: values.checkpoint,
    log: (line) => process.stdout.write(`${line}\n`),
  });
}

await main();
