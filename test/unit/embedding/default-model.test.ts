import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR, type OnnxEmbedder } from '#engine/embedding/index.ts';
import { RANKER_FEATURES, VECTOR_RANKER_FEATURES } from '#engine/search/ranker-features.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

const RETRY_FUNCTION = `/** Uploads a file, retrying with exponential backoff when the upload fails. */
export async function uploadWithRetry(file: Blob, maxAttempts = 5): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upload(file);
    } catch (error) {
      if (attempt >= maxAttempts) throw error;
      await sleep(backoffDelay(attempt));
    }
  }
}`;
const CSS_RULE = `.toolbar > .button:hover {
  color: #fff;
  background-color: rgba(0, 0, 0, 0.6);
  border-radius: 4px;
  margin: 0 auto;
}`;
const PARSER = `function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(':');
  return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
}`;

describe('default model', () => {
  let embedder: OnnxEmbedder;

  beforeAll(async () => {
    embedder = await createOnnxEmbedder({ modelDir: DEFAULT_MODEL_DIR, workers: 2, threadsPerWorker: 1 });
  });
  afterAll(async () => {
    await embedder?.close();
  });

  // The model layer shares Lambda's 250 MB with LanceDB and onnxruntime: at 15 MB every function keeps 20 MB
  // to spare (test/infra/bundled-functions.test.ts checks that).
  it('fits in the 15 MB budget', () => {
    const bytes = readdirSync(DEFAULT_MODEL_DIR).reduce(
      (sum, f) => sum + statSync(join(DEFAULT_MODEL_DIR, f)).size,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(15 * 1024 * 1024);
  });

  it('is the trained model, with its id, dimension, hybrid fusion settings and rankers', () => {
    expect(embedder.modelId).toMatch(/^codesearch-bag-v2-256@[0-9a-f]{12}$/);
    expect(embedder.dimension).toBe(256);
    expect(embedder.fusion?.k).toBeGreaterThan(0);
    expect(embedder.fusion?.keywordWeight).toBe(1);
    // Cheap enough to embed every chunk's windows at index time
    expect(embedder.windowRescoring?.windowLines).toBeGreaterThan(0);
    // Hybrid search orders its candidates with the ranker trained beside the model, on every feature
    expect(embedder.hybridRanker?.features).toEqual([...RANKER_FEATURES]);
    expect(embedder.hybridRanker?.weights.every(Number.isFinite)).toBe(true);
    // Vector search with its own ranker: the model's evidence and the chunks' roles, no keyword features
    expect(embedder.vectorRanker?.features).toEqual([...VECTOR_RANKER_FEATURES]);
    expect(embedder.vectorRanker?.weights.every(Number.isFinite)).toBe(true);
  });

  it('embeds a query differently from the same text as code (query and code sides)', async () => {
    const query = await embedder.embedQuery('parse a header line');
    const [document] = await embedder.embedDocuments(['parse a header line']);
    expect(dot(query, document ?? new Float32Array(256))).toBeLessThan(0.9999);
  });

  it('returns unit vectors of the right dimension, deterministically', async () => {
    const texts = [RETRY_FUNCTION, CSS_RULE, PARSER];
    const first = await embedder.embedDocuments(texts);
    const second = await embedder.embedDocuments(texts);
    expect(first).toHaveLength(3);
    for (const [i, v] of first.entries()) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(256);
      expect(norm(v)).toBeCloseTo(1, 5);
      expect([...v]).toEqual([...(second[i] ?? [])]);
    }
  });

  it('puts a query closer to matching code than to unrelated code', async () => {
    const query = await embedder.embedQuery('retry failed upload with backoff');
    const [retry, css, parser] = await embedder.embedDocuments([RETRY_FUNCTION, CSS_RULE, PARSER]);
    if (!retry || !css || !parser) throw new Error('missing vectors');
    expect(dot(query, retry)).toBeGreaterThan(dot(query, css) + 0.2);
    expect(dot(query, retry)).toBeGreaterThan(dot(query, parser) + 0.2);
    const cssQuery = await embedder.embedQuery('button hover background color');
    expect(dot(cssQuery, css)).toBeGreaterThan(dot(cssQuery, retry) + 0.2);
  });

  it('embeds empty and whitespace-only strings to a defined unit vector', async () => {
    const [empty, blank] = await embedder.embedDocuments(['', '   \n\t']);
    expect(norm(empty ?? new Float32Array())).toBeCloseTo(1, 5);
    expect([...(empty ?? [])]).toEqual([...(blank ?? [])]);
    expect(await embedder.embedDocuments([])).toEqual([]);
  });

  it('gives the same vectors batched by length as one at a time', async () => {
    // prepare: texts of very different token lengths, so batches are padded
    const texts = Array.from({ length: 70 }, (_, i) =>
      i % 7 === 0
        ? ''
        : `${RETRY_FUNCTION.slice(0, (i * 37) % RETRY_FUNCTION.length)} ${i % 2 ? CSS_RULE : PARSER}`,
    );
    // act
    const batched = await embedder.embedDocuments(texts);
    const single = await Promise.all(texts.map(async (t) => (await embedder.embedDocuments([t]))[0]));
    // assess
    for (const [i, v] of batched.entries()) {
      const s = single[i] ?? new Float32Array();
      for (let d = 0; d < v.length; d++) expect(v[d]).toBeCloseTo(s[d] ?? Number.NaN, 6);
    }
  });

  it('counts texts and batches', async () => {
    const before = { ...embedder.stats };
    await embedder.embedDocuments(Array.from({ length: 70 }, (_, i) => `text number ${i}`));
    await embedder.embedDocuments(Array.from({ length: 70 }, (_, i) => `${PARSER}\n// ${i}`));
    await embedder.embedQuery('one query');
    expect(embedder.stats.texts - before.texts).toBe(141);
    // 70 short texts fit one batch (their padding is within the token budget); 70 function-sized texts go
    // 32 at a time → 3 batches; plus 1 for the query.
    expect(embedder.stats.batches - before.batches).toBe(1 + 3 + 1);
  });

  it('truncates very long texts instead of failing', async () => {
    const [v] = await embedder.embedDocuments([RETRY_FUNCTION.repeat(2_000)]);
    expect(norm(v ?? new Float32Array())).toBeCloseTo(1, 5);
  });

  it('keeps the event loop responsive while embedding 2,000 texts', async () => {
    // prepare: realistic chunk-sized texts and a 5 ms ticker measuring the longest pause
    const texts = Array.from(
      { length: 2_000 },
      (_, i) => `${i}\n${RETRY_FUNCTION}\n${i % 3 ? CSS_RULE : PARSER}`,
    );
    let last = performance.now();
    let maxGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    // act
    try {
      const vectors = await embedder.embedDocuments(texts);
      expect(vectors).toHaveLength(2_000);
    } finally {
      clearInterval(ticker);
    }
    // assess
    console.info(`longest event-loop pause while embedding 2,000 texts: ${maxGap.toFixed(1)} ms`);
    expect(maxGap).toBeLessThan(50);
  });
});
