/**
 * What would actually be uploaded: the stack is synthesized with real esbuild bundling, then every function
 * is checked as Lambda would run it — it loads from its bundle and layers alone, fits the size limit, needs
 * no newer glibc than the runtime's, and carries no secret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { CodeSearchFunction } from '../../infra/codesearch-function.ts';
import { folderBytes } from '../../scripts/layers/index.ts';
import { functionsOf, type SynthesizedFunction } from './helpers/functions.ts';
import { createSandbox, invokeInSandbox, type Sandbox } from './helpers/lambda-sandbox.ts';
import { findSecrets, listScannableFiles } from './helpers/secret-scan.ts';
import { assemble, type Synthesized, synthesize, testContext } from './helpers/synth.ts';

/** Lambda's limit on a function's code plus all its layers, unzipped ("…must be smaller than 262144000 bytes"). */
const LAMBDA_UNZIPPED_LIMIT_BYTES = 262_144_000;

/** nodejs22.x runs on Amazon Linux 2023, whose glibc is 2.34. */
const RUNTIME_GLIBC = { major: 2, minor: 34 };

let synth: Synthesized;
let functions: SynthesizedFunction[];
const sandboxes = new Map<string, Sandbox>();

beforeAll(() => {
  synth = synthesize({ bundle: true });
  functions = functionsOf(synth);
  for (const fn of functions) sandboxes.set(fn.logicalId, createSandbox(fn));
});

function sandboxOf(fn: SynthesizedFunction): Sandbox {
  const sandbox = sandboxes.get(fn.logicalId);
  if (!sandbox) throw new Error(`no sandbox for ${fn.logicalId}`);
  return sandbox;
}

/** The handler's result, from the RESULT line the sandbox prints. */
function resultOf(stdout: string): unknown {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result in:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length));
}

const healthEvent = {
  version: '2.0',
  routeKey: 'GET /health',
  rawPath: '/health',
  rawQueryString: '',
  headers: { host: 'sandbox.execute-api.us-east-1.amazonaws.com' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'sandbox',
    domainName: 'sandbox.execute-api.us-east-1.amazonaws.com',
    http: {
      method: 'GET',
      path: '/health',
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.1',
      userAgent: 'vitest',
    },
    requestId: 'sandbox-request',
    routeKey: 'GET /health',
    stage: '$default',
    time: '21/Nov/2026:10:00:00 +0000',
    timeEpoch: 1_795_260_000_000,
  },
  isBase64Encoded: false,
};

describe('every bundled function', () => {
  it('loads from its own bundle and layers, with no module missing', async () => {
    for (const fn of functions) {
      const result = await invokeInSandbox(sandboxOf(fn), fn.handler);
      expect(result.stderr, fn.logicalId).toBe('');
      expect(resultOf(result.stdout), fn.logicalId).toEqual({ loaded: true });
    }
  });

  it('fits in 250 MB unzipped together with its layers', () => {
    const report = functions.map((fn) => {
      const bytes = folderBytes(fn.codeDir) + fn.layerDirs.reduce((sum, dir) => sum + folderBytes(dir), 0);
      return {
        function: fn.logicalId,
        mb: +(bytes / 1e6).toFixed(1),
        headroomMb: +((LAMBDA_UNZIPPED_LIMIT_BYTES - bytes) / 1e6).toFixed(1),
      };
    });
    console.table(report);
    for (const row of report) expect(row.headroomMb, row.function).toBeGreaterThan(0);
  });

  it('needs no newer glibc than Amazon Linux 2023 has', () => {
    const natives = [...new Set(functions.flatMap((fn) => fn.layerDirs))]
      .flatMap((dir) =>
        execFileSync('find', [dir, '-name', '*.node', '-o', '-name', '*.so*'], { encoding: 'utf8' }).split(
          '\n',
        ),
      )
      .filter(Boolean);
    expect(natives.length).toBeGreaterThan(0);
    for (const file of natives) {
      const symbols = execFileSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
      for (const [, major, minor] of symbols.matchAll(/GLIBC_(\d+)\.(\d+)/g)) {
        const needed = Number(major) * 1000 + Number(minor);
        expect(needed, `${file} needs GLIBC_${major}.${minor}`).toBeLessThanOrEqual(
          RUNTIME_GLIBC.major * 1000 + RUNTIME_GLIBC.minor,
        );
      }
    }
  });

  it('carries no secret or secret-looking string, in the template or any asset', () => {
    const files = [...new Set(functions.flatMap((fn) => [fn.codeDir, ...fn.layerDirs]))].flatMap(
      listScannableFiles,
    );
    expect(files.length).toBeGreaterThan(10);
    const findings = [
      ...findSecrets('template', JSON.stringify(synth.json, null, 1)),
      ...files.flatMap((file) => findSecrets(file)),
    ];
    expect(findings).toEqual([]);
  });
});

describe('the search function', () => {
  it('answers GET /health from the bundle: worker thread, onnxruntime and model from the layers, LanceDB', async () => {
    // Given the search function's bundle, layers and environment, with a local folder standing in for S3
    const search = functions.find((fn) => fn.logicalId.startsWith('ServiceSearchFunction'));
    if (!search) throw new Error('no search function');
    const index = mkdtempSync(join(tmpdir(), 'codesearch-index-'));

    // When API Gateway would call it with GET /health
    const result = await invokeInSandbox(sandboxOf(search), search.handler, healthEvent, {
      CODESEARCH_INDEX_URI: index,
    });

    // Then the embedder started its bundled worker, which loaded the model with onnxruntime, and LanceDB answered
    expect(result.code, result.stderr).toBe(0);
    const response = resultOf(result.stdout) as { statusCode: number; body: string };
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      status: 'ok',
      dimension: expect.any(Number),
      chunks: 0,
    });
  });
});

describe('a function built with `chunker: true`', () => {
  it('chunks with the tree-sitter grammars shipped in its bundle', async () => {
    // Given a test function that chunks a TypeScript file, bundled the way the index worker would be
    const outdir = mkdtempSync(join(tmpdir(), 'codesearch-synth-'));
    const app = new App({ outdir, context: testContext({ bundle: true }) });
    const stack = new Stack(app, 'Chunking');
    new CodeSearchFunction(stack, 'Chunk', {
      entry: 'test/infra/fixtures/chunking-handler.ts',
      description: 'test: chunk one file',
      invokedBy: 'api',
      architecture: lambda.Architecture.X86_64,
      memorySize: 1024,
      timeout: Duration.seconds(30),
      chunker: true,
    });
    const [fn] = functionsOf(assemble(app, stack, outdir));
    if (!fn) throw new Error('no function');

    // When it runs in the sandbox
    const result = await invokeInSandbox(createSandbox(fn), fn.handler, {});

    // Then every grammar loaded (createChunker loads them all) and the function was found as a symbol
    expect(result.code, result.stderr).toBe(0);
    expect(resultOf(result.stdout)).toMatchObject({ symbols: expect.arrayContaining(['retryUpload']) });
  });
});
