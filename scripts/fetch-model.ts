/**
 * Downloads a pretrained sentence-embedding ONNX export from the Hugging Face Hub into a codesearch model
 * directory (model.onnx, tokenizer.json, tokenizer_config.json, codesearch-model.json), then loads it through
 * the engine to check that it works. Needs network access; nothing in the test suite depends on it.
 *
 *   node_modules/.bin/node scripts/fetch-model.ts bge-small [--int8] [--out models/bge-small] [--revision main]
 *   node_modules/.bin/node scripts/fetch-model.ts --list
 *
 * Then: `codesearch index <dir> --model models/bge-small --rebuild` (an index records its model; switching
 * models means re-indexing). See models/README.md for the presets and for models too large for the Lambda layer.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOnnxEmbedder } from '../src/engine/embedding/index.ts';

export interface ModelPreset {
  /** Hugging Face repository. */
  readonly repo: string;
  /** ONNX file inside the repository, full precision and int8 (dynamic quantisation). */
  readonly onnx: string;
  readonly onnxInt8?: string;
  /** codesearch-model.json without `id` (the directory name is used). */
  readonly config: {
    readonly dimension: number;
    readonly pooling: 'mean' | 'cls';
    readonly normalize: boolean;
    readonly maxTokens: number;
    readonly queryPrefix: string;
    readonly documentPrefix: string;
    readonly outputName?: string;
    readonly description: string;
  };
}

/** Known exports; the file names are those published in each repository at the time of writing. */
export const PRESETS: Readonly<Record<string, ModelPreset>> = {
  'minilm-l6': {
    repo: 'Xenova/all-MiniLM-L6-v2',
    onnx: 'onnx/model.onnx',
    onnxInt8: 'onnx/model_quantized.onnx',
    config: {
      dimension: 384,
      pooling: 'mean',
      normalize: true,
      maxTokens: 256,
      queryPrefix: '',
      documentPrefix: '',
      outputName: 'last_hidden_state',
      description: 'all-MiniLM-L6-v2 (Apache-2.0): general English sentence embeddings, 6 layers',
    },
  },
  'bge-small': {
    repo: 'Xenova/bge-small-en-v1.5',
    onnx: 'onnx/model.onnx',
    onnxInt8: 'onnx/model_quantized.onnx',
    config: {
      dimension: 384,
      pooling: 'cls',
      normalize: true,
      maxTokens: 512,
      queryPrefix: 'Represent this sentence for searching relevant passages: ',
      documentPrefix: '',
      outputName: 'last_hidden_state',
      description: 'BAAI bge-small-en-v1.5 (MIT): retrieval-tuned English embeddings, 12 layers, 384 wide',
    },
  },
  'jina-code': {
    repo: 'jinaai/jina-embeddings-v2-base-code',
    onnx: 'onnx/model.onnx',
    onnxInt8: 'onnx/model_quantized.onnx',
    config: {
      dimension: 768,
      pooling: 'mean',
      normalize: true,
      maxTokens: 512,
      queryPrefix: '',
      documentPrefix: '',
      outputName: 'last_hidden_state',
      description:
        'jina-embeddings-v2-base-code (Apache-2.0): code and English, 768 wide; too large for the layer, load it from S3',
    },
  },
};

async function download(url: string, target: string): Promise<number> {
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok || !response.body)
    throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  await writeFile(`${target}.partial`, bytes);
  await rename(`${target}.partial`, target);
  return bytes.length;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      int8: { type: 'boolean', default: false },
      revision: { type: 'string', default: 'main' },
      list: { type: 'boolean', default: false },
    },
  });
  if (values.list || positionals.length === 0) {
    for (const [name, p] of Object.entries(PRESETS))
      process.stdout.write(`${name}\t${p.repo}\t${p.config.description}\n`);
    return;
  }
  const name = positionals[0] as string;
  const preset = PRESETS[name];
  if (!preset) throw new Error(`unknown model "${name}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const onnxFile = values.int8 ? preset.onnxInt8 : preset.onnx;
  if (!onnxFile) throw new Error(`${name} has no int8 export`);
  const id = values.int8 ? `${name}-int8` : name;
  const out = resolve(values.out ?? join(fileURLToPath(new URL('..', import.meta.url)), 'models', id));
  await mkdir(out, { recursive: true });
  const base = `https://huggingface.co/${preset.repo}/resolve/${values.revision}`;
  for (const [file, target] of [
    [onnxFile, 'model.onnx'],
    ['tokenizer.json', 'tokenizer.json'],
    ['tokenizer_config.json', 'tokenizer_config.json'],
  ] as const) {
    const bytes = await download(`${base}/${file}`, join(out, target));
    process.stdout.write(`${target}: ${(bytes / 1e6).toFixed(1)} MB from ${preset.repo}/${file}\n`);
  }
  await writeFile(
    join(out, 'codesearch-model.json'),
    `${JSON.stringify({ id, ...preset.config }, null, 2)}\n`,
  );
  // The same check the engine does at start-up, plus one query, so a bad download fails here.
  const embedder = await createOnnxEmbedder({ modelDir: out, workers: 1 });
  try {
    const vector = await embedder.embedQuery('retry a failed upload');
    process.stdout.write(`${embedder.modelId}: loads, ${vector.length} dimensions -> ${out}\n`);
  } finally {
    await embedder.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
