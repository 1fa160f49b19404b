/**
 * An S3-compatible server for tests that LanceDB can commit to: s3rver, plus a thin layer in front of it
 * (`s3rver-conditional-writes.ts`) that adds what S3 does and s3rver does not — conditional creates with
 * `If-None-Match: *` (412 for an existing key) and writes that are complete before they are acknowledged —
 * and, optionally, injected faults. Started and stopped by the tests; data lives in a temporary directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { type FaultPlan, NO_FAULTS } from './faults.ts';
import { installConditionalWrites, type S3RequestLog } from './s3rver-conditional-writes.ts';

/** s3rver's built-in credentials: it checks SigV4 signatures against them. */
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';
export const S3_EMULATOR_REGION = 'us-east-1';

export interface S3Emulator {
  readonly endpoint: string;
  readonly bucket: string;
  /** LanceDB `storageOptions` that point object_store at this server. */
  readonly storageOptions: Record<string, string>;
  /** AWS SDK client settings for the same server. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Requests seen, by kind: how a test proves what reached S3 (and how many creates were refused). */
  readonly log: S3RequestLog;
  /** Swap the fault plan (e.g. faults only during one phase of a test). */
  setFaults(plan: FaultPlan): void;
  /** An `s3://bucket/prefix` URI in this server's bucket. */
  uri(prefix: string): string;
  stop(): Promise<void>;
}

export async function startS3Emulator(
  options: { faults?: FaultPlan; bucket?: string } = {},
): Promise<S3Emulator> {
  const directory = await mkdtemp(join(tmpdir(), 'codesearch-s3-'));
  const bucket = options.bucket ?? 'codesearch-test';
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: join(directory, 'data'),
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  let faults = options.faults ?? NO_FAULTS;
  const log = installConditionalWrites(server, {
    stagingDirectory: join(directory, 'staging'),
    faults: () => faults,
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    storageOptions: {
      aws_endpoint: endpoint,
      aws_allow_http: 'true',
      aws_region: S3_EMULATOR_REGION,
      aws_access_key_id: ACCESS_KEY,
      aws_secret_access_key: SECRET_KEY,
    },
    clientConfig: {
      endpoint,
      region: S3_EMULATOR_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    },
    log,
    setFaults(plan) {
      faults = plan;
    },
    uri: (prefix) => `s3://${bucket}/${prefix.replace(/^\/+/, '')}`,
    async stop() {
      // LanceDB keeps connections alive; without this, close() waits for them to idle out.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
