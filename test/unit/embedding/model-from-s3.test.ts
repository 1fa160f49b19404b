import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { containerModelDirectory, modelDirectoryFromS3, parseS3Uri } from '#adapters/aws/model-from-s3.ts';
import { createOnnxEmbedder } from '#engine/embedding/index.ts';
import { ConfigError, ModelLoadError } from '#engine/errors.ts';
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

/** An in-memory S3 that answers the two commands the loader sends. */
class FakeS3 {
  readonly objects = new Map<string, Uint8Array>();
  gets = 0;

  put(key: string, content: string | Uint8Array): void {
    this.objects.set(key, typeof content === 'string' ? new TextEncoder().encode(content) : content);
  }

  etag(key: string): string {
    return `"${createHash('md5')
      .update(this.objects.get(key) ?? new Uint8Array())
      .digest('hex')}"`;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof ListObjectsV2Command) {
      const prefix = command.input.Prefix ?? '';
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      return {
        Contents: keys.map((Key) => ({ Key, ETag: this.etag(Key), Size: this.objects.get(Key)?.length })),
      };
    }
    if (command instanceof GetObjectCommand) {
      this.gets++;
      const key = command.input.Key ?? '';
      const body = this.objects.get(key);
      if (!body) throw new Error(`NoSuchKey ${key}`);
      if (command.input.IfMatch && command.input.IfMatch !== this.etag(key))
        throw new Error('PreconditionFailed');
      return { Body: Readable.from([Buffer.from(body)]) };
    }
    throw new Error('unexpected command');
  }
}

function bucketWithModel(seed: number): FakeS3 {
  const s3 = new FakeS3();
  for (const [name, content] of Object.entries(projectModelFiles(seed)))
    s3.put(`models/tiny/${name}`, content);
  s3.put('models/tiny/README.md', 'ignored');
  return s3;
}

describe('loading a model directory from S3', () => {
  it('parses s3 URIs', () => {
    expect(parseS3Uri('s3://bucket/models/tiny')).toEqual({ bucket: 'bucket', prefix: 'models/tiny/' });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseS3Uri('https://bucket/x')).toThrow(ConfigError);
  });

  it('copies the model to local disk once, and the embedder loads it', async () => {
    // prepare
    const s3 = bucketWithModel(1);
    const cacheDir = await mkdtemp(join(tmpdir(), 'codesearch-s3-model-'));
    // act
    const dir = await modelDirectoryFromS3({ s3, uri: 's3://bucket/models/tiny', cacheDir });
    const again = await modelDirectoryFromS3({ s3, uri: 's3://bucket/models/tiny/', cacheDir });
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
    expect(await readFile(join(dir, 'model.onnx'))).toEqual(
      Buffer.from(s3.objects.get('models/tiny/model.onnx') ?? []),
    );
    const embedder = await createOnnxEmbedder({ modelDir: dir, workers: 1, threadsPerWorker: 1 });
    try {
      expect(embedder.modelId).toMatch(/^tiny-from-s3@/);
      expect(await embedder.embedQuery('retry upload')).toHaveLength(4);
    } finally {
      await embedder.close();
    }
  });

  it('fetches a new version when the objects change, and drops the old copy', async () => {
    const s3 = bucketWithModel(1);
    const cacheDir = await mkdtemp(join(tmpdir(), 'codesearch-s3-model-'));
    const first = await modelDirectoryFromS3({ s3, uri: 's3://bucket/models/tiny', cacheDir });
    for (const [name, content] of Object.entries(projectModelFiles(2)))
      s3.put(`models/tiny/${name}`, content);
    const second = await modelDirectoryFromS3({ s3, uri: 's3://bucket/models/tiny', cacheDir });
    expect(second).not.toBe(first);
    expect(await readdir(cacheDir)).toEqual([second.slice(cacheDir.length + 1)]);
  });

  it('names the missing file when the prefix holds no complete model', async () => {
    const s3 = bucketWithModel(1);
    s3.objects.delete('models/tiny/tokenizer.json');
    const cacheDir = await mkdtemp(join(tmpdir(), 'codesearch-s3-model-'));
    const error = await modelDirectoryFromS3({ s3, uri: 's3://bucket/models/tiny', cacheDir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain('tokenizer.json');
  });

  it('falls back to the bundled model when no model URI is configured', async () => {
    expect(await containerModelDirectory(new FakeS3(), '/opt/models/default', '')).toBe(
      '/opt/models/default',
    );
  });
});
