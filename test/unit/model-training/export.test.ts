import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOnnxEmbedder } from '#engine/embedding/index.ts';
import type { BagModel, SideTables } from '../../../scripts/model/bag-encoder.ts';
import type { EmbeddingStorage } from '../../../scripts/model/bag-graph.ts';
import {
  buildModelFiles,
  checkExportedModel,
  type ExportOptions,
  writeModelFiles,
} from '../../../scripts/model/export-model.ts';
import { createMirrorTokenizer } from '../../../scripts/model/interim-model.ts';
import { mulberry32 } from '../../../scripts/model/random.ts';
import { SPECIAL_TOKENS } from '../../../scripts/model/tokenizer-spec.ts';

const WORDS = [
  'retry',
  'upload',
  'parse',
  'header',
  'file',
  'the',
  'a',
  'with',
  'backoff',
  'function',
  '(',
  ')',
  '{',
  '}',
  '.',
  'ts',
];
const VOCAB = [...SPECIAL_TOKENS, ...WORDS, '[QRY]'];
const MARKER = VOCAB.length - 1;
const D = 6;

function model(options: { separate: boolean; context: boolean }): BagModel {
  const random = mulberry32(42);
  const V = VOCAB.length;
  const table = () => Float32Array.from({ length: V * D }, () => random() * 2 - 1);
  const scalars = () => Float32Array.from({ length: V }, () => random() - 0.5);
  const side = (embeddings: Float32Array): SideTables => ({
    embeddings,
    logWeights: scalars(),
    ...(options.context ? { prevLogWeights: scalars(), nextLogWeights: scalars() } : {}),
  });
  const code = table();
  return { vocabSize: V, dimension: D, code: side(code), query: side(options.separate ? table() : code) };
}

function exportOptions(m: BagModel, storage: EmbeddingStorage, context: boolean): ExportOptions {
  return {
    model: m,
    vocab: VOCAB,
    queryMarker: MARKER,
    modelId: 'tiny-bag',
    description: 'test model',
    maxTokens: 16,
    termFrequency: 'log',
    context,
    storage,
    hybrid: { k: 10, vectorWeight: 0.5, keywordWeight: 1 },
  };
}

const DOCUMENTS = [
  '',
  'src/upload.ts\nfunction retryUpload(file) { upload(file); upload(file); }',
  'parse the header',
  'Header header HEADER parse_header ?!',
  'retry retry retry retry retry retry retry retry retry retry retry retry retry retry retry retry retry',
];
const QUERIES = ['', 'retry the upload with backoff', 'parse a header', 'unknown words only'];

describe('the exported model', () => {
  for (const variant of [
    { storage: 'int8', separate: true, context: true },
    { storage: 'float16', separate: false, context: false },
  ] as const) {
    it(`gives the trainer's vectors through createOnnxEmbedder (${variant.storage}, ${variant.separate ? 'separate' : 'shared'} tables, ${variant.context ? 'with' : 'without'} context)`, async () => {
      // prepare
      const dir = await mkdtemp(join(tmpdir(), 'codesearch-bag-export-'));
      const options = exportOptions(model(variant), variant.storage, variant.context);
      writeModelFiles(dir, buildModelFiles(options), '# test\n');
      // act
      const check = await checkExportedModel(
        dir,
        options,
        createMirrorTokenizer(VOCAB.slice(0, MARKER)),
        DOCUMENTS,
        QUERIES,
      );
      // assess
      expect(check.texts).toBe(DOCUMENTS.length + QUERIES.length);
      expect(check.maxDifference).toBeLessThan(1e-5);
    });
  }

  it('embeds queries and documents differently, and carries its fusion settings to the embedder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codesearch-bag-export-'));
    writeModelFiles(
      dir,
      buildModelFiles(exportOptions(model({ separate: true, context: true }), 'int8', true)),
      '# test\n',
    );
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1, threadsPerWorker: 1 });
    try {
      const [document] = await embedder.embedDocuments(['parse the header']);
      const query = await embedder.embedQuery('parse the header');
      expect([...query]).not.toEqual([...(document ?? [])]);
      expect(embedder.fusion).toEqual({ k: 10, vectorWeight: 0.5, keywordWeight: 1 });
      expect(embedder.modelId).toMatch(/^tiny-bag@[0-9a-f]{12}$/);
    } finally {
      await embedder.close();
    }
    const config = JSON.parse(await readFile(join(dir, 'codesearch-model.json'), 'utf8')) as {
      queryPrefix: string;
    };
    expect(config.queryPrefix).toBe('[QRY] ');
  });

  it('ships a hybrid ranker inside its hybrid block, which the embedder hands to search', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codesearch-bag-export-'));
    const ranker = {
      features: ['window', 'nameOverlap'] as const,
      center: [0.25, 0.1],
      scale: [0.5, 0.2],
      weights: [1.25, -0.5],
    };
    writeModelFiles(
      dir,
      buildModelFiles({
        ...exportOptions(model({ separate: false, context: true }), 'int8', true),
        ranker: { ...ranker, features: [...ranker.features] },
        windowRescoring: { windowLines: 12, contextLines: 2, depth: 33 },
      }),
      '# test\n',
    );
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1, threadsPerWorker: 1 });
    try {
      expect(embedder.hybridRanker).toEqual(ranker);
      // Rank fusion's settings stay as they were: they order the candidates beyond the ranked ones
      expect(embedder.fusion).toEqual({ k: 10, vectorWeight: 0.5, keywordWeight: 1 });
    } finally {
      await embedder.close();
    }
  });

  it('is byte-for-byte deterministic', () => {
    const a = buildModelFiles(exportOptions(model({ separate: true, context: true }), 'int8', true));
    const b = buildModelFiles(exportOptions(model({ separate: true, context: true }), 'int8', true));
    expect(a.sha256).toEqual(b.sha256);
  });
});
