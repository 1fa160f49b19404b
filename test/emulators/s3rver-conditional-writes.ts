/**
 * The thin layer that makes s3rver behave like S3 where LanceDB's commit protocol depends on it.
 *
 * 1. Conditional creates. LanceDB commits a version by writing its manifest with `If-None-Match: *`; S3
 *    answers 412 when the key exists, which is how two concurrent writers learn that one of them lost and must
 *    retry. s3rver (3.7) ignores the header and silently overwrites, so concurrency tests against
 *    plain s3rver would pass while losing commits. Here, a PUT (or CompleteMultipartUpload) carrying
 *    `If-None-Match: *` takes a per-key lock, answers 412 `PreconditionFailed` if the key exists, and
 *    otherwise writes while still holding the lock.
 * 2. Complete writes before the acknowledgement. s3rver streams the body straight into the object's file and
 *    acknowledges when the body has been read, not written, so a reader can see a half-written manifest. Here
 *    the body goes to a staging file that is renamed into place (atomic on one file system) before the answer.
 * 3. Listings with a delimiter that report every common prefix. s3rver skips directories below a common
 *    prefix without reporting the prefix itself, so `idx/` never lists `idx/chunks.lance/` (whose files all
 *    sit in subdirectories) and LanceDB cannot find its own table. Here the listing walks every key under
 *    the prefix and groups them as S3 does.
 * 4. Faults: a plan can answer any request with an S3 error instead (`SlowDown`, `InternalError`, …).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';
import type { FaultPlan } from './faults.ts';

/** Counters a test can assert on. */
export interface S3RequestLog {
  requests: number;
  writes: number;
  conditionalCreates: number;
  refusedCreates: number;
  faults: number;
  /** Every request as the IAM action it needs and what it acts on, to compare with a role's grants. */
  calls: S3Call[];
}

/**
 * A request as IAM sees it. `key` for object actions (absent for a multi-object delete, whose keys are in
 * the body), `prefix` for listings.
 */
export interface S3Call {
  readonly action: string;
  readonly bucket: string;
  readonly key?: string;
  readonly prefix?: string;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  set(name: string, value: string): void;
}

interface StoredObject {
  bucket: string;
  key: string;
  content: NodeJS.ReadableStream | Buffer;
  metadata: Record<string, string>;
}

interface ListOptions {
  delimiter?: string;
  startAfter?: string;
  prefix?: string;
  maxKeys?: number;
}

interface ListResult {
  objects: unknown[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

/** The parts of s3rver's FilesystemStore this layer uses or replaces. */
interface FilesystemStore {
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  listObjects(bucket: string, options: ListOptions): Promise<ListResult>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

export function installConditionalWrites(
  server: S3rver,
  options: { stagingDirectory: string; faults: () => FaultPlan },
): S3RequestLog {
  const log: S3RequestLog = {
    requests: 0,
    writes: 0,
    conditionalCreates: 0,
    refusedCreates: 0,
    faults: 0,
    calls: [],
  };
  const store = server.store as FilesystemStore;
  const locks = new KeyLocks();
  store.putObject = (object) => writeAtomically(store, options.stagingDirectory, object);
  store.listObjects = (bucket, listOptions) => listCompletely(store, bucket, listOptions);

  const layer = async (context: unknown, next: () => Promise<void>): Promise<void> => {
    const ctx = context as KoaContext;
    log.requests++;
    log.calls.push(s3CallOf(ctx));
    const fault = options.faults().decide({ method: ctx.method, path: ctx.path });
    if (fault) {
      log.faults++;
      return respondWithError(ctx, fault.status, fault.code, fault.message ?? 'Injected fault');
    }
    const target = objectOf(ctx.path);
    const creates = isObjectWrite(ctx) && ctx.headers['if-none-match'] === '*';
    if (isObjectWrite(ctx)) log.writes++;
    if (!creates || !target) return next();
    log.conditionalCreates++;
    await locks.run(`${target.bucket}/${target.key}`, async () => {
      if (await store.existsObject(target.bucket, target.key)) {
        log.refusedCreates++;
        respondWithError(
          ctx,
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
        return;
      }
      await next();
    });
  };
  // Koa composes its middleware when the server starts listening, so putting the layer first here puts it in
  // front of s3rver's logger, authentication and router.
  server.middleware.unshift(layer);
  return log;
}

/** A PUT of an object (not of a part, tag or ACL) or the completion of a multipart upload. */
function isObjectWrite(ctx: KoaContext): boolean {
  if (ctx.method === 'PUT') return !('uploadId' in ctx.query || 'tagging' in ctx.query || 'acl' in ctx.query);
  return ctx.method === 'POST' && 'uploadId' in ctx.query;
}

/** The IAM action a request needs (UploadPart, CreateMultipartUpload and CompleteMultipartUpload are PutObject). */
function s3CallOf(ctx: KoaContext): S3Call {
  const bucket = ctx.path.split('/')[1] ?? '';
  const target = objectOf(ctx.path);
  if (!target) {
    if (ctx.method === 'GET')
      return { action: 's3:ListBucket', bucket, prefix: String(ctx.query.prefix ?? '') };
    if (ctx.method === 'POST' && 'delete' in ctx.query) return { action: 's3:DeleteObject', bucket };
    return { action: `(bucket ${ctx.method})`, bucket };
  }
  const { key } = target;
  switch (ctx.method) {
    case 'GET':
    case 'HEAD':
      return { action: 's3:GetObject', bucket, key };
    case 'PUT':
    case 'POST':
      return { action: 's3:PutObject', bucket, key };
    case 'DELETE':
      return { action: 'uploadId' in ctx.query ? 's3:AbortMultipartUpload' : 's3:DeleteObject', bucket, key };
    default:
      return { action: `(object ${ctx.method})`, bucket, key };
  }
}

function objectOf(path: string): { bucket: string; key: string } | undefined {
  const [, bucket, ...rest] = path.split('/');
  if (!bucket || rest.length === 0) return undefined;
  return { bucket, key: decodeURIComponent(rest.join('/')) };
}

function respondWithError(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.set('Content-Type', 'application/xml');
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function writeAtomically(
  store: FilesystemStore,
  stagingDirectory: string,
  object: StoredObject,
): Promise<{ size: number; md5: string }> {
  const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
  const staged = join(stagingDirectory, randomUUID());
  await mkdir(stagingDirectory, { recursive: true });
  await mkdir(dirname(objectPath), { recursive: true });
  const md5 = createHash('md5');
  let size = 0;
  const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(source, measure, createWriteStream(staged));
  const digest = md5.digest('hex');
  // Metadata first: s3rver decides existence by the object file, so once it appears, it is complete.
  await store.putMetadata(object.bucket, object.key, object.metadata, digest);
  await rename(staged, objectPath);
  return { size, md5: digest };
}

const S3Object = createRequire(import.meta.url)('s3rver/lib/models/object') as new (
  bucket: string,
  key: string,
  content: null,
  metadata: Record<string, string>,
) => unknown;
const OBJECT_SUFFIX = '._S3rver_object';

async function listCompletely(
  store: FilesystemStore,
  bucket: string,
  options: ListOptions,
): Promise<ListResult> {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Number.POSITIVE_INFINITY } = options;
  const bucketPath = store.getBucketPath(bucket);
  // Walk only the deepest directory that can hold keys with this prefix.
  const directory = join(bucketPath, prefix.slice(0, prefix.lastIndexOf('/') + 1));
  let entries: string[];
  try {
    entries = await readdir(directory, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { objects: [], commonPrefixes: [], isTruncated: false };
    throw error;
  }
  const relativeDirectory = directory.slice(bucketPath.length + 1);
  const keys = entries
    .filter((entry) => entry.endsWith(OBJECT_SUFFIX))
    .map((entry) => `${relativeDirectory}${entry.slice(0, -OBJECT_SUFFIX.length)}`)
    .filter((key) => key > startAfter && key.startsWith(prefix))
    .sort();
  const commonPrefixes = new Set<string>();
  const listed: string[] = [];
  let isTruncated = false;
  for (const key of keys) {
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut !== -1) {
      commonPrefixes.add(key.slice(0, cut + delimiter.length));
      continue;
    }
    if (listed.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    listed.push(key);
  }
  const objects = await Promise.all(
    listed.map(async (key) => {
      try {
        return new S3Object(bucket, key, null, await store.getMetadata(bucket, key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted meanwhile
        throw error;
      }
    }),
  );
  return {
    objects: objects.filter((object) => object !== undefined),
    commonPrefixes: [...commonPrefixes].sort(),
    isTruncated,
  };
}

/** Runs functions one at a time per key. */
class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>();

  async run(key: string, fn: () => Promise<void>): Promise<void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
