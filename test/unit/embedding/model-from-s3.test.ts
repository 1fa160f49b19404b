import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerModelDirectory,
  modelDirectoryFromS3,
  modelDirectoryOf,
  parseS3Uri,
} from '#adapters/aws/model-from-s3.ts';
import { createOnnxEmbedder } from '#engine/embedding/index.ts';
import { ConfigError, ModelLoadError } from '#engine/errors.ts';
import { type S3Emulator, startS3Emulator } from '#test/emulators/s3-emulator.ts';
import { buildModelFiles } from '../../../scripts/model/export-model.ts';
import { mulberry32 } from '../../../scripts/model/random.ts';
import { SPECIAL_TOKENS } from '../../../scripts/model/tokenizer-spec.ts';

/** A model the project builds (the trained model's format), small enough to write in a test. */
function projectModelFiles(seed: number): Record<string, string | Uint8Array> {
  const vocab = [...SPECIAL_TOKENS, 'retry', 'upload', 'parse', 'header', '[QRY]'];
  const V = vocab.length;
  const D = 4;
  const random = mulberry32(seed);
  const embeddings = Float32Array.from({ length: V * D }, () => random() - 0.5);
  const logWeights = Float32Array.from({ length: V }, () => random() - 0.5);
  return buildModelFiles({
    model: {
      vocabSize: V,
      dimension: D,
      code: { embeddings, logWeights },
      query: { embeddings, logWeights: logWeights.slice() },
    },
    vocab,
    queryMarker: V - 1,
    modelId: 'tiny-from-s3',
    description: 'test',
    maxTokens: 32,
    termFrequency: 'log',
    context: false,
    storage: 'int8',
    hybrid: { k: 60, vectorWeight: 1, keywordWeight: 1 },
  }).files;
}

/**
 * A real S3 client against the S3 emulator (s3rver, started by this file), counting the GetObject calls the
 * loader makes so the tests can see what was downloaded.
 */
class CountingS3 {
  gets = 0;
  readonly #client: S3Client;

  constructor(client: S3Client) {
    this.#client = client;
  }

  send(command: GetObjectCommand | ListObjectsV2Command): Promise<unknown> {
    if (command instanceof GetObjectCommand) this.gets++;
    return this.#client.send(command as GetObjectCommand);
  }

  async put(key: string, content: string | Uint8Array): Promise<void> {
    const body = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    await this.#client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  async remove(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  }

  async read(key: string): Promise<Buffer> {
    const out = await this.#client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  }
}

const BUCKET = 'bucket';
let emulator: S3Emulator;
let client: S3Client;

beforeAll(async () => {
  emulator = await startS3Emulator({ bucket: BUCKET });
  client = new S3Client(emulator.clientConfig);
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

/** A fresh model under its own prefix, so tests never see each other's objects. */
let prefixes = 0;
async function bucketWithModel(seed: number): Promise<{ s3: CountingS3; prefix: string; uri: string }> {
  const s3 = new CountingS3(client);
  const prefix = `models/tiny-${++prefixes}-${seed}`;
  for (const [name, content] of Object.entries(projectModelFiles(seed)))
    await s3.put(`${prefix}/${name}`, content);
  await s3.put(`${prefix}/README.md`, 'ignored');
  return { s3, prefix, uri: `s3://${BUCKET}/${prefix}` };
}

describe('loading a model directory from S3 (s3rver emulator)', () => {
  it('parses s3 URIs', () => {
    expect(parseS3Uri('s3://bucket/models/tiny')).toEqual({ bucket: 'bucket', prefix: 'models/tiny/' });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseS3Uri('https://bucket/x')).toThrow(ConfigError);
  });

  it('copies the model to local disk once, and the embedder loads it', async () => {
    // prepare
    const { s3, prefix, uri } = await bucketWithModel(1);
    const cacheDir = await mkdtemp(join(tmpdir(), 'codesearch-s3-model-'));
    // act
    const dir = await modelDirectoryFromS3({ s3, uri, cacheDir });
    const again = await modelDirectoryFromS3({ s3, uri: `${uri}/`, cacheDir });
    // assess
    expect(again).toBe(dir);
    expect(s3.gets).toBe(4); // four model files, fetched once; README.md is not a model file
    expect((await readdir(dir)).sort()).toEqual([
      '.complete',
      'codesearch-model.json',
      'model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(await readFile(join(dir, 'model.onnx'))).toEqual(await s3.read(`${prefix}/model.onnx`));
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1, threadsPerWorker: 1 });
    try {
      expect(embedder.modelId).toMatch(/^tiny-from-s3@/);
      expect(await embedder.embedQuery('retry upload')).toHaveLength(4);
    } finally {
      await embedder.close();
    }
  });

  it('fetches a new version when the objects change, and drops the old copy', async () => {
    const { s3, prefix, uri } = await bucketWithModel(1);
    const cacheDir = await mkdtemp(join(tmpdir(), 'codesearch-s3-model-'));
    const first = await modelDirectoryFromS3({ s3, uri, cacheDir });
    for (const [name, content] of Object.entries(projectModelFiles(2)))
      await s3.put(`${prefix}/${name}`, content);
    const second = await modelDirectoryFromS3({ s3, uri, cacheDir });
    expect(second).not.toBe(first);
    expect(await readdir(cacheDir)).toEqual([second.slice(cacheDir.length + 1)]);
  });

  it('names the missing file when the prefix holds no complete model', async () => {
    const { s3, prefix, uri } = await bucketWithModel(1);
    await s3.remove(`${prefix}/tokenizer.json`);
    const cacheDir = await mkdtemp(join(tmpdir(), 'codesearch-s3-model-'));
    const error = await modelDirectoryFromS3({ s3, uri, cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain('tokenizer.json');
  });

  it("resolves a handler's model from CODESEARCH_MODEL_URI when set, fetching it once per container", async () => {
    // prepare: the environment the stack gives a function with modelS3Uri
    const { s3, prefix, uri } = await bucketWithModel(3);
    const makeClient = () => s3;
    const env = { CODESEARCH_MODEL_URI: `${uri}/`, CODESEARCH_MODEL_DIR: '/opt/model' };
    // act
    const dir = await modelDirectoryOf(env, '/opt/models/default', makeClient);
    const gets = s3.gets; // 4, or 0 when an earlier run left this version in /tmp (as a warm /tmp would)
    const again = await modelDirectoryOf(env, '/opt/models/default', makeClient);
    // assess: a copy of the bucket's model under the OS temp folder, not the layer's folder
    expect(again).toBe(dir);
    expect(dir.startsWith(join(tmpdir(), 'codesearch-models'))).toBe(true);
    expect([0, 4]).toContain(gets);
    expect(s3.gets).toBe(gets);
    expect(await readFile(join(dir, 'codesearch-model.json'))).toEqual(
      await s3.read(`${prefix}/codesearch-model.json`),
    );
  });

  it("resolves a handler's model from CODESEARCH_MODEL_DIR, or the default, without S3", async () => {
    const noClient = () => {
      throw new Error('no S3 client without a model URI');
    };
    expect(await modelDirectoryOf({ CODESEARCH_MODEL_DIR: '/opt/model' }, '/default', noClient)).toBe(
      '/opt/model',
    );
    expect(await modelDirectoryOf({}, '/default', noClient)).toBe('/default');
  });

  it('falls back to the bundled model when no model URI is configured', async () => {
    expect(await containerModelDirectory(new CountingS3(client), '/opt/models/default', '')).toBe(
      '/opt/models/default',
    );
  });
});
