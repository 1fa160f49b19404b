/**
 * Loads a model directory from S3 at cold start, for models too large for the Lambda layer (a transformer
 * export of 30–500 MB next to LanceDB's 200 MB). The objects under `s3://bucket/prefix/` (`model.onnx`,
 * `tokenizer.json`, `codesearch-model.json`, optionally `tokenizer_config.json`) are copied to a folder
 * under `/tmp` named after their ETags, so a warm container — or a cold one that finds `/tmp` still filled —
 * reuses the copy, and a new model version at the same prefix is fetched afresh. Each file is streamed to a
 * temporary name and renamed into place, so a crash never leaves a half-written model behind.
 *
 * Give the function `s3:GetObject` and `s3:ListBucket` on the prefix, enough ephemeral storage for the model
 * (Lambda's /tmp is 512 MB by default, up to 10 GB), and pass the returned directory to `createOnnxEmbedder`.
 *
 * @example
 * const modelDir = await modelDirectoryFromS3({ s3: new S3Client({}), uri: process.env.CODESEARCH_MODEL_URI });
 * const embedder = await createOnnxEmbedder({ modelDir, workers: 1 });
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ConfigError, ModelLoadError } from '#engine/errors.ts';

/** The files a model directory may hold; anything else under the prefix is ignored. */
export const MODEL_FILES = [
  'model.onnx',
  'tokenizer.json',
  'tokenizer_config.json',
  'codesearch-model.json',
] as const;
const REQUIRED_FILES = ['model.onnx', 'tokenizer.json', 'codesearch-model.json'];

export interface ModelFromS3Options {
  /** Only `send` is used, so tests can pass a stand-in. */
  readonly s3: Pick<S3Client, 'send'>;
  /** `s3://bucket/prefix` of the model directory. */
  readonly uri: string;
  /**
   * Where the copies go; one sub-folder per model version.
   * @default `${os.tmpdir()}/codesearch-models`
   */
  readonly cacheDir?: string;
}

/** Splits `s3://bucket/some/prefix` into bucket and key prefix (with a trailing slash, or empty). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match?.[1]) throw new ConfigError(`model location "${uri}" is not an s3://bucket/prefix URI`);
  const rest = match[2] ?? '';
  return { bucket: match[1], prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/` };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies the model directory at `uri` to local disk (unless this version is already there) and returns the
 * local directory.
 * @throws ModelLoadError when a required file is missing under the prefix or a download fails.
 */
export async function modelDirectoryFromS3(options: ModelFromS3Options): Promise<string> {
  const { bucket, prefix } = parseS3Uri(options.uri);
  const listed = await options.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const objects = (listed.Contents ?? [])
    .map((o) => ({ key: o.Key ?? '', etag: o.ETag ?? '', size: o.Size ?? 0 }))
    .filter((o) => (MODEL_FILES as readonly string[]).includes(o.key.slice(prefix.length)))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const names = objects.map((o) => o.key.slice(prefix.length));
  const missing = REQUIRED_FILES.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new ModelLoadError(
      `s3://${bucket}/${prefix} has no ${missing.join(', ')} (a model directory needs ${REQUIRED_FILES.join(', ')})`,
    );
  }
  // The version folder is named after what is being copied, so a changed object means a new folder.
  const version = createHash('sha256')
    .update(JSON.stringify([bucket, objects]))
    .digest('hex')
    .slice(0, 16);
  const dir = join(options.cacheDir ?? join(tmpdir(), 'codesearch-models'), version);
  const complete = join(dir, '.complete');
  if (await exists(complete)) return dir;

  await mkdir(dir, { recursive: true });
  for (const object of objects) {
    const name = object.key.slice(prefix.length);
    const target = join(dir, name);
    const partial = `${target}.partial`;
    try {
      const got = await options.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: object.key, IfMatch: object.etag || undefined }),
      );
      const body = got.Body;
      if (!(body instanceof Readable)) throw new Error('the response has no readable body');
      await pipeline(body, createWriteStream(partial));
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw new ModelLoadError(`could not fetch s3://${bucket}/${object.key}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  await writeFile(complete, `${new Date().toISOString()}\n`);
  await removeOtherVersions(dirname(dir), version);
  return dir;
}

/** Old versions would fill /tmp over a container's life; keep only the current one. */
async function removeOtherVersions(cacheDir: string, keep: string): Promise<void> {
  for (const entry of await readdir(cacheDir)) {
    if (entry !== keep && /^[0-9a-f]{16}$/.test(entry))
      await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
}

let memo: { uri: string; dir: Promise<string> } | undefined;

/**
 * The model directory for this container: `CODESEARCH_MODEL_URI` (s3://…) fetched once per container, else
 * `fallback` (e.g. `CODESEARCH_MODEL_DIR` or the model in the layer). A failed fetch is retried on the next call.
 */
export function containerModelDirectory(
  s3: Pick<S3Client, 'send'>,
  fallback: string,
  uri = process.env.CODESEARCH_MODEL_URI,
): Promise<string> {
  if (!uri) return Promise.resolve(fallback);
  if (memo?.uri !== uri) {
    const dir = modelDirectoryFromS3({ s3, uri });
    dir.catch(() => {
      if (memo?.dir === dir) memo = undefined;
    });
    memo = { uri, dir };
  }
  return memo.dir;
}

/** The variables that say where a function's model is (the stack sets one of the two). */
export interface ModelLocationEnvironment {
  /** `s3://bucket/prefix/` of the model folder (stack option `modelS3Uri`). */
  readonly CODESEARCH_MODEL_URI?: string | undefined;
  /** Local model folder (the model layer's `/opt/model`). */
  readonly CODESEARCH_MODEL_DIR?: string | undefined;
}

/**
 * The model directory a function's environment names, for the handlers' cold start: the S3 folder of
 * `CODESEARCH_MODEL_URI` copied to /tmp once per container, else `CODESEARCH_MODEL_DIR`, else `fallback`.
 * The S3 client is only created when the model is in S3.
 *
 * @example
 * const modelDir = await modelDirectoryOf(env, DEFAULT_MODEL_DIR);
 * const embedder = await createOnnxEmbedder({ modelDir, workers: 1 });
 */
export function modelDirectoryOf(
  env: ModelLocationEnvironment,
  fallback: string,
  s3: () => Pick<S3Client, 'send'> = () => new S3Client({}),
): Promise<string> {
  const local = env.CODESEARCH_MODEL_DIR ?? fallback;
  return env.CODESEARCH_MODEL_URI
    ? containerModelDirectory(s3(), local, env.CODESEARCH_MODEL_URI)
    : Promise.resolve(local);
}
