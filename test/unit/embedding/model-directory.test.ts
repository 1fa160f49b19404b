import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, readModelDirectory } from '#engine/embedding/model-directory.ts';
import { ModelLoadError } from '#engine/errors.ts';
import { TINY_CONFIG, writeTinyModelDir } from './helpers/tiny-model.ts';

const RANKER = { features: ['window', 'name'], center: [0, 0], scale: [1, 1], weights: [1, 1] };
const RESCORED = { windowRescoring: { windowLines: 12 } };

describe('readModelDirectory', () => {
  it('reads a complete directory and derives the model id from config id and content hash', async () => {
    const dir = await writeTinyModelDir();
    const model = await readModelDirectory(dir);
    expect(model.config).toMatchObject(TINY_CONFIG);
    expect(model.modelId).toMatch(/^tiny-bert-like@[0-9a-f]{12}$/);
    expect(model.tokenizerConfigPath).toBeUndefined();
  });

  it('reads optional hybrid fusion settings, filling in defaults, without changing the model id', async () => {
    const plain = await readModelDirectory(await writeTinyModelDir());
    const tuned = await readModelDirectory(
      await writeTinyModelDir({ config: { hybrid: { k: 10, vectorWeight: 0.5 } } }),
    );
    expect(plain.config.hybrid).toBeUndefined();
    expect(tuned.config.hybrid).toEqual({ k: 10, vectorWeight: 0.5, keywordWeight: 1 });
    // Fusion weights do not change vectors, so an index built before tuning them stays valid.
    expect(tuned.modelId).toBe(plain.modelId);
  });

  it('reads optional window re-scoring settings, filling in defaults; the window cut is part of the model id', async () => {
    const plain = await readModelDirectory(await writeTinyModelDir());
    const at = async (windowRescoring: Record<string, number>) =>
      readModelDirectory(await writeTinyModelDir({ config: { windowRescoring } }));
    const rescored = await at({ windowLines: 12 });
    expect(plain.config.windowRescoring).toBeUndefined();
    expect(rescored.config.windowRescoring).toEqual({ windowLines: 12, contextLines: 0, depth: 33 });
    // Indexing stores vectors of windows cut this way (and chunk vectors made of them): another cut, or none,
    // must not reuse the index. How many candidates search re-scores changes nothing stored.
    expect(rescored.modelId).not.toBe(plain.modelId);
    expect((await at({ windowLines: 8 })).modelId).not.toBe(rescored.modelId);
    expect((await at({ windowLines: 12, contextLines: 2 })).modelId).not.toBe(rescored.modelId);
    expect((await at({ windowLines: 12, depth: 50 })).modelId).toBe(rescored.modelId);
  });

  it('reads a learned hybrid ranker beside window re-scoring, without changing the model id', async () => {
    const ranker = {
      features: ['window', 'keywordRank'],
      center: [0.3, 0.1],
      scale: [0.1, 0.2],
      weights: [1.5, -0.25],
    };
    const rescored = await readModelDirectory(
      await writeTinyModelDir({ config: { windowRescoring: { windowLines: 12 } } }),
    );
    const ranked = await readModelDirectory(
      await writeTinyModelDir({ config: { hybrid: { ranker }, windowRescoring: { windowLines: 12 } } }),
    );
    expect(ranked.config.hybrid?.ranker).toEqual(ranker);
    expect(ranked.modelId).toBe(rescored.modelId);
  });

  it('names every missing file', async () => {
    const dir = await writeTinyModelDir({ omit: ['model.onnx', 'tokenizer.json'] });
    const error = await readModelDirectory(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain(join(dir, 'model.onnx'));
    expect((error as Error).message).toContain(join(dir, 'tokenizer.json'));
  });

  it('rejects a directory that does not exist', async () => {
    await expect(readModelDirectory('/nonexistent/model/dir')).rejects.toThrow(ModelLoadError);
  });

  it.each([
    [{ dimension: -3 }, 'dimension'],
    [{ dimension: 2.5 }, 'dimension'],
    [{ pooling: 'average' }, 'pooling'],
    [{ normalize: 'yes' }, 'normalize'],
    [{ maxTokens: 1 }, 'maxTokens'],
    [{ id: '' }, 'id'],
    [{ queryPrefx: 'query: ' }, 'queryPrefx'],
    [{ hybrid: { k: 0 } }, 'hybrid.k'],
    [{ hybrid: { vectorWeight: 0, keywordWeight: 0 } }, 'hybrid'],
    [{ hybrid: { vectorWieght: 1 } }, 'hybrid'],
    [{ windowRescoring: { windowLines: 0 } }, 'windowRescoring.windowLines'],
    [{ windowRescoring: { windowLines: 12, depth: 1000 } }, 'windowRescoring.depth'],
    [{ windowRescoring: { windowLine: 12 } }, 'windowRescoring'],
    // A ranker needs window re-scoring, features it knows, and one number per feature in each list
    [{ hybrid: { ranker: RANKER } }, 'hybrid.ranker needs windowRescoring'],
    [
      { hybrid: { ranker: { ...RANKER, features: ['window', 'pagerank'] } }, ...RESCORED },
      'hybrid.ranker.features.1',
    ],
    [{ hybrid: { ranker: { ...RANKER, weights: [1] } }, ...RESCORED }, 'one entry per feature'],
    [{ hybrid: { ranker: { ...RANKER, scale: [1, 0] } }, ...RESCORED }, 'hybrid.ranker.scale.1'],
    [{ hybrid: { ranker: { ...RANKER, features: ['window', 'window'] } }, ...RESCORED }, 'listed twice'],
  ])('reports the bad field in %j with the file name', async (override, field) => {
    const dir = await writeTinyModelDir({ config: override });
    const error = await readModelDirectory(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    const message = (error as Error).message;
    expect(message).toContain(join(dir, 'codesearch-model.json'));
    expect(message).toContain(field);
  });

  it('reports a missing required field', async () => {
    const { dimension: _, ...withoutDimension } = TINY_CONFIG;
    const error = await readModelDirectory(
      await writeTinyModelDir({ rawConfig: JSON.stringify(withoutDimension) }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/dimension/);
  });

  it('reports invalid JSON', () => {
    expect(() => parseModelConfig('{ "id": ', 'x/codesearch-model.json')).toThrow(
      /x\/codesearch-model\.json is not valid JSON/,
    );
  });

  it('defaults the prefixes to empty strings', () => {
    const { queryPrefix: _q, documentPrefix: _d, ...rest } = TINY_CONFIG;
    const config = parseModelConfig(JSON.stringify(rest), 'c.json');
    expect(config.queryPrefix).toBe('');
    expect(config.documentPrefix).toBe('');
  });

  it('gives the same id to identical content and a new id when weights, tokenizer or prefixes change', async () => {
    // prepare: two identical directories
    const a = await writeTinyModelDir();
    const b = await writeTinyModelDir();
    const idA = (await readModelDirectory(a)).modelId;
    expect((await readModelDirectory(b)).modelId).toBe(idA);

    // act + assess: each kind of change gives a new id
    const tokenizerPath = join(b, 'tokenizer.json');
    await writeFile(tokenizerPath, `${await readFile(tokenizerPath, 'utf8')}\n`);
    const idTokenizer = (await readModelDirectory(b)).modelId;
    expect(idTokenizer).not.toBe(idA);

    const weights = await writeTinyModelDir({ tableRows: 9 });
    expect((await readModelDirectory(weights)).modelId).not.toBe(idA);

    const prefixed = await writeTinyModelDir({ config: { queryPrefix: 'query: ' } });
    expect((await readModelDirectory(prefixed)).modelId).not.toBe(idA);

    const withTokenizerConfig = await writeTinyModelDir({ tokenizerConfig: { model_max_length: 512 } });
    const model = await readModelDirectory(withTokenizerConfig);
    expect(model.tokenizerConfigPath).toBe(join(withTokenizerConfig, 'tokenizer_config.json'));
    expect(model.modelId).not.toBe(idA);
  });
});
