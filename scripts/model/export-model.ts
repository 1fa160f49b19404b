/**
 * Writes a trained model as a model directory the engine's generic loader reads, and checks the result
 * through that loader: `createOnnxEmbedder` must give the same vectors as the trainer's forward pass.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOnnxEmbedder } from '../../src/engine/embedding/index.ts';
import type { HybridFusion, HybridRanker, WindowRescoring } from '../../src/engine/types.ts';
import { type BagModel, embedBag, type TermFrequency, toBag } from './bag-encoder.ts';
import { asStored, type EmbeddingStorage, encodeBagGraph, OUTPUT_NAME } from './bag-graph.ts';
import type { TokenIdsOf } from './interim-model.ts';
import { buildTokenizerConfig, buildTokenizerJson, SPECIAL_TOKENS } from './tokenizer-spec.ts';

export interface ExportOptions {
  readonly model: BagModel;
  /** Vocabulary in id order: the base WordPiece vocabulary, then the query marker as its last entry. */
  readonly vocab: readonly string[];
  readonly queryMarker: number;
  readonly modelId: string;
  readonly description: string;
  readonly maxTokens: number;
  readonly termFrequency: TermFrequency;
  readonly context: boolean;
  readonly storage: EmbeddingStorage;
  readonly hybrid: HybridFusion;
  /** The learned hybrid ranker, shipped inside the `hybrid` block. */
  readonly ranker?: HybridRanker;
  /** The learned vector-side ranker (`vectorRanker`). */
  readonly vectorRanker?: HybridRanker;
  readonly windowRescoring?: WindowRescoring;
}

/** The text the loader prepends to queries: the marker token, which the graph recognises after [CLS]. */
export const queryPrefixFor = (marker: string) => `${marker} `;

/**
 * The tokenizer: the base WordPiece tokenizer with the query marker as an extra special token (matched before
 * normalisation, so it survives lower-casing and punctuation splitting).
 */
export function tokenizerJsonWithMarker(vocab: readonly string[], queryMarker: number): object {
  const base = vocab.slice(0, queryMarker);
  const json = buildTokenizerJson(base) as {
    added_tokens: object[];
    model: { vocab: Record<string, number> };
  };
  const marker = vocab[queryMarker] as string;
  json.model.vocab[marker] = queryMarker;
  json.added_tokens.push({
    id: queryMarker,
    content: marker,
    single_word: false,
    lstrip: false,
    rstrip: true,
    normalized: false,
    special: true,
  });
  return json;
}

export interface ExportedFiles {
  /** File name → contents, in the order written. */
  readonly files: Record<string, string | Uint8Array>;
  readonly sha256: Record<string, string>;
  readonly bytes: number;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Builds every file of the model directory (no DATA_CARD.md; the caller adds it). Deterministic. */
export function buildModelFiles(options: ExportOptions): ExportedFiles {
  if (options.context !== (options.model.code.prevLogWeights !== undefined)) {
    throw new Error('the context setting does not match the model');
  }
  const onnx = encodeBagGraph({
    model: options.model,
    queryMarker: options.queryMarker,
    termFrequency: options.termFrequency,
    storage: options.storage,
    docString: `${options.modelId}: ${options.description} (see DATA_CARD.md)`,
  });
  const files: Record<string, string | Uint8Array> = {
    'model.onnx': onnx,
    'tokenizer.json': `${JSON.stringify(tokenizerJsonWithMarker(options.vocab, options.queryMarker), null, 1)}\n`,
    'tokenizer_config.json': `${JSON.stringify(buildTokenizerConfig(options.maxTokens), null, 2)}\n`,
    'codesearch-model.json': `${JSON.stringify(
      {
        id: options.modelId,
        description: options.description,
        dimension: options.model.dimension,
        pooling: 'none',
        normalize: true,
        maxTokens: options.maxTokens,
        queryPrefix: queryPrefixFor(options.vocab[options.queryMarker] as string),
        documentPrefix: '',
        outputName: OUTPUT_NAME,
        hybrid: { ...options.hybrid, ...(options.ranker ? { ranker: options.ranker } : {}) },
        ...(options.windowRescoring ? { windowRescoring: options.windowRescoring } : {}),
        ...(options.vectorRanker ? { vectorRanker: options.vectorRanker } : {}),
      },
      null,
      2,
    )}\n`,
  };
  const hashes = Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256(content)]));
  const bytes = Object.values(files).reduce((sum, c) => sum + c.length, 0);
  return { files, sha256: hashes, bytes };
}

export function writeModelFiles(outDir: string, exported: ExportedFiles, dataCard: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const [name, content] of Object.entries(exported.files)) writeFileSync(join(outDir, name), content);
  writeFileSync(join(outDir, 'DATA_CARD.md'), dataCard);
}

export interface ExportCheck {
  readonly texts: number;
  /** Largest |difference| of any vector component between the loader and the trainer's forward pass. */
  readonly maxDifference: number;
}

/**
 * Embeds `documents` and `queries` through `createOnnxEmbedder` on `modelDir` and through the trainer's forward
 * pass (on the stored — quantised — weights), and returns the largest component difference.
 */
export async function checkExportedModel(
  modelDir: string,
  options: Pick<
    ExportOptions,
    'model' | 'storage' | 'maxTokens' | 'termFrequency' | 'context' | 'queryMarker'
  >,
  tokenIdsOf: TokenIdsOf,
  documents: readonly string[],
  queries: readonly string[],
): Promise<ExportCheck> {
  const stored = asStored(options.model, options.storage);
  const cls = SPECIAL_TOKENS.indexOf('[CLS]');
  const sep = SPECIAL_TOKENS.indexOf('[SEP]');
  const ids = (text: string, marker?: number) => {
    const budget = options.maxTokens - 2 - (marker === undefined ? 0 : 1);
    return Int32Array.from([
      cls,
      ...(marker === undefined ? [] : [marker]),
      ...tokenIdsOf(text).subarray(0, budget),
      sep,
    ]);
  };
  const forward = (side: 'query' | 'code', tokenIds: Int32Array) => {
    const out = new Float32Array(stored.dimension);
    embedBag(stored, side, toBag(tokenIds, options.termFrequency, options.context), out);
    return out;
  };
  const embedder = await createOnnxEmbedder({ modelDir, workers: 1, threadsPerWorker: 1 });
  let maxDifference = 0;
  try {
    const docVectors = await embedder.embedDocuments(documents);
    docVectors.forEach((v, i) => {
      const expected = forward('code', ids(documents[i] as string));
      for (let d = 0; d < v.length; d++)
        maxDifference = Math.max(maxDifference, Math.abs((v[d] as number) - (expected[d] as number)));
    });
    for (const query of queries) {
      const v = await embedder.embedQuery(query);
      const expected = forward('query', ids(query, options.queryMarker));
      for (let d = 0; d < v.length; d++)
        maxDifference = Math.max(maxDifference, Math.abs((v[d] as number) - (expected[d] as number)));
    }
  } finally {
    await embedder.close();
  }
  return { texts: documents.length + queries.length, maxDifference };
}
