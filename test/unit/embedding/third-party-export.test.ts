import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOnnxEmbedder } from '#engine/embedding/index.ts';
import { ModelLoadError } from '#engine/errors.ts';
import {
  hiddenOf,
  ids,
  int8Projection,
  meanOf,
  TINY_DIM,
  TINY_SEGMENT_VECTORS,
  writeTinyModelDir,
} from './helpers/tiny-model.ts';

const asArray = (v: Float32Array | undefined) => [...(v ?? [])];
const expectClose = (actual: Float32Array | undefined, expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  for (const [d, x] of expected.entries()) expect(actual?.[d]).toBeCloseTo(x, 5);
};

describe('a BERT-style export with a per-token last_hidden_state', () => {
  it('mean-pools over real tokens only, including [CLS] and [SEP], as sentence-transformers does', async () => {
    const dir = await writeTinyModelDir({ config: { pooling: 'mean' } });
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1, threadsPerWorker: 1 });
    try {
      // "Hello" is padded to the length of the longer text in the same batch.
      const [short, long] = await embedder.embedDocuments(['Hello', 'hello world foo bar']);
      expectClose(short, meanOf(ids(['[CLS]', 'hello', '[SEP]']).map(hiddenOf)));
      expectClose(long, meanOf(ids(['[CLS]', 'hello', 'world', 'foo', 'bar', '[SEP]']).map(hiddenOf)));
      expect(embedder.dimension).toBe(TINY_DIM);
    } finally {
      await embedder.close();
    }
  });

  it('cls-pools to the first token and max-pools per dimension', async () => {
    const cls = await createOnnxEmbedder({
      modelDir: await writeTinyModelDir({ config: { pooling: 'cls' } }),
      workers: 1,
    });
    const max = await createOnnxEmbedder({
      modelDir: await writeTinyModelDir({ config: { pooling: 'max' } }),
      workers: 1,
    });
    try {
      const [c] = await cls.embedDocuments(['foo bar']);
      expectClose(c, hiddenOf(ids(['[CLS]'])[0] ?? -1));
      const [m] = await max.embedDocuments(['foo bar']);
      const rows = ids(['[CLS]', 'foo', 'bar', '[SEP]']).map(hiddenOf);
      expectClose(
        m,
        Array.from({ length: TINY_DIM }, (_, d) =>
          Math.max(...rows.map((r) => r[d] ?? Number.NEGATIVE_INFINITY)),
        ),
      );
    } finally {
      await cls.close();
      await max.close();
    }
  });

  it('normalises when the config says so, and applies query and document prefixes', async () => {
    const dir = await writeTinyModelDir({
      config: { normalize: true, queryPrefix: 'foo ', documentPrefix: 'bar ' },
    });
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1 });
    try {
      const query = await embedder.embedQuery('hello');
      const [doc] = await embedder.embedDocuments(['hello']);
      const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
      expectClose(query, unit(meanOf(ids(['[CLS]', 'foo', 'hello', '[SEP]']).map(hiddenOf))));
      expectClose(doc, unit(meanOf(ids(['[CLS]', 'bar', 'hello', '[SEP]']).map(hiddenOf))));
    } finally {
      await embedder.close();
    }
  });

  it('truncates to maxTokens', async () => {
    const dir = await writeTinyModelDir({ config: { maxTokens: 4 } });
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1 });
    try {
      const [v] = await embedder.embedDocuments(['hello world foo bar baz']);
      expectClose(v, meanOf(ids(['[CLS]', 'hello', 'world', '[SEP]']).map(hiddenOf)));
    } finally {
      await embedder.close();
    }
  });

  it('feeds only the inputs the graph declares', async () => {
    const dir = await writeTinyModelDir({ withoutTokenTypes: true });
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1 });
    try {
      const [v] = await embedder.embedDocuments(['world']);
      expectClose(
        v,
        meanOf(
          ids(['[CLS]', 'world', '[SEP]']).map((id) =>
            hiddenOf(id).map((x, d) => x - (TINY_SEGMENT_VECTORS[0]?.[d] ?? 0)),
          ),
        ),
      );
    } finally {
      await embedder.close();
    }
  });

  it('batches by length across several workers with the same results as one by one', async () => {
    const dir = await writeTinyModelDir();
    const embedder = await createOnnxEmbedder({
      modelDir: dir,
      workers: 2,
      threadsPerWorker: 1,
      batchSize: 3,
    });
    try {
      const words = ['hello', 'world', 'foo', 'bar', 'baz', 'retry'];
      const texts = Array.from({ length: 25 }, (_, i) => words.slice(0, i % 7).join(' '));
      const batched = await embedder.embedDocuments(texts);
      // Batches of 3, or — these texts being a few tokens each — up to 8 × 3 while padding stays in budget.
      const batches = embedder.stats.batches;
      expect(batches).toBeGreaterThanOrEqual(Math.ceil(25 / 24));
      expect(batches).toBeLessThanOrEqual(Math.ceil(25 / 3));
      for (const [i, text] of texts.entries()) {
        expect(asArray(batched[i])).toEqual(asArray((await embedder.embedDocuments([text]))[0]));
      }
      expect(embedder.stats.batches).toBe(batches + 25);
    } finally {
      await embedder.close();
    }
  });
});

describe('an int8 (dynamically quantised) export', () => {
  it('loads and pools like its float sibling, with the quantised layer computed as onnxruntime defines it', async () => {
    // prepare: the tiny BERT-like graph ending in DynamicQuantizeLinear + MatMulInteger, as quantize_dynamic writes
    const dir = await writeTinyModelDir({
      int8Projection: true,
      withoutTokenTypes: true,
      config: { pooling: 'mean' },
    });
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1, threadsPerWorker: 1 });
    try {
      // act: one text per call, because activation scales are per tensor (per batch)
      const [v] = await embedder.embedDocuments(['hello world foo']);
      const [c] = await embedder.embedDocuments(['bar']);
      // assess
      expectClose(
        v,
        meanOf(
          int8Projection(
            ids(['[CLS]', 'hello', 'world', 'foo', '[SEP]']).map((id) =>
              hiddenOf(id).map((x, d) => x - (TINY_SEGMENT_VECTORS[0]?.[d] ?? 0)),
            ),
          ),
        ),
      );
      expectClose(
        c,
        meanOf(
          int8Projection(
            ids(['[CLS]', 'bar', '[SEP]']).map((id) =>
              hiddenOf(id).map((x, d) => x - (TINY_SEGMENT_VECTORS[0]?.[d] ?? 0)),
            ),
          ),
        ),
      );
    } finally {
      await embedder.close();
    }
  });
});

describe('graph checks at load time', () => {
  it('rejects a config dimension that differs from the graph output', async () => {
    const dir = await writeTinyModelDir({ config: { dimension: 384 } });
    const error = await createOnnxEmbedder({ modelDir: dir, workers: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/dimension 3.*dimension 384/);
  });

  it('rejects pooling "none" on a per-token output', async () => {
    const dir = await writeTinyModelDir({ config: { pooling: 'none' } });
    await expect(createOnnxEmbedder({ modelDir: dir, workers: 1 })).rejects.toThrow(/pooling "none"/);
  });

  it('rejects a graph input it cannot feed', async () => {
    const dir = await writeTinyModelDir({ extraInput: 'pixel_values' });
    await expect(createOnnxEmbedder({ modelDir: dir, workers: 1 })).rejects.toThrow(/pixel_values/);
  });

  it('rejects an outputName the graph does not have', async () => {
    const dir = await writeTinyModelDir({ config: { outputName: 'pooler_output' } });
    await expect(createOnnxEmbedder({ modelDir: dir, workers: 1 })).rejects.toThrow(/pooler_output/);
  });

  it('rejects a file that is not an ONNX model', async () => {
    const dir = await writeTinyModelDir({ modelBytes: new TextEncoder().encode('not a model') });
    const error = await createOnnxEmbedder({ modelDir: dir, workers: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain(join(dir, 'model.onnx'));
  });

  it('names tokenizer.json when it cannot be parsed', async () => {
    const dir = await writeTinyModelDir();
    await writeFile(join(dir, 'tokenizer.json'), '{ "model": ');
    const error = await createOnnxEmbedder({ modelDir: dir, workers: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain(join(dir, 'tokenizer.json'));
  });
});
