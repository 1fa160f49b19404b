/**
 * What would actually be uploaded: the stack is synthesized with real esbuild bundling, then every function
 * is checked as Lambda would run it — it loads from its bundle and layers alone, fits the size limit, needs
 * no newer glibc than the runtime's, and carries no secret. Then the four bundles run the whole path on the
 * emulators, each in a process of its own: a signed push to the webhook, the queued job through the index
 * worker, upkeep over the result, and the search function finding the code and showing the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import type { Job } from '#engine/pipeline/jobs.ts';
import { githubDelivery, httpEvent } from '#test/pipeline/helpers/http-events.ts';
import {
  JOB_QUEUE,
  type PipelineWorld,
  startPipelineWorld,
  WEBHOOK_SECRET,
} from '#test/pipeline/helpers/pipeline-world.ts';
import { EXAMPLE_INDEX, EXAMPLE_REPO, pushPayload } from '#test/pipeline/helpers/webhook-examples.ts';
import { CodeSearchFunction } from '../../infra/codesearch-function.ts';
import { TABLE_ENV } from '../../infra/function-environment.ts';
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

  it('fits in 250 MB unzipped together with its layers, with 20 MB to spare (room for a larger model)', () => {
    const mb = (bytes: number) => +(bytes / 1e6).toFixed(1);
    const report = functions.map((fn) => {
      const code = folderBytes(fn.codeDir);
      const layers = fn.layerDirs.reduce((sum, dir) => sum + folderBytes(dir), 0);
      return {
        function: fn.logicalId.replace(/^Service(\w+?)Function[0-9A-F]{8}$/, '$1'),
        codeMb: mb(code),
        layersMb: mb(layers),
        totalMb: mb(code + layers),
        headroomMb: mb(LAMBDA_UNZIPPED_LIMIT_BYTES - code - layers),
      };
    });
    console.table(report);
    expect(report.map((row) => row.function).sort()).toEqual(
      ['IndexUpkeep', 'IndexWorker', 'Search', 'Webhook'].sort(),
    );
    for (const row of report) expect(row.headroomMb, row.function).toBeGreaterThanOrEqual(20);
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
      // Configured, though /health does not touch the queue (the whole path is the next test's subject)
      CODESEARCH_JOB_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/codesearch-jobs',
    });

    // Then the embedder started its bundled worker, which loaded the model with onnxruntime, and LanceDB answered
    expect(result.code, result.stderr).toBe(0);
    const response = resultOf(result.stdout) as { statusCode: number; body: string };
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      status: 'ok',
      dimension: expect.any(Number),
      index: { reachable: true },
    });
  });
});

describe('the four bundles, end to end on the emulators', () => {
  const REPO = EXAMPLE_REPO;
  /** What codesearch calls it: the canonical spelling. */
  const INDEX = EXAMPLE_INDEX;
  let world: PipelineWorld;
  let signingKeys: string;
  /** A local folder stands in for the bucket: the S3 path is the pipeline tests' subject. */
  const indexDir = mkdtempSync(join(tmpdir(), 'codesearch-bundled-index-'));

  beforeAll(async () => {
    world = await startPipelineWorld();
    signingKeys = newKeySetText();
    world.secrets.put('signing-keys', signingKeys);
    await world.register(REPO);
  });
  afterAll(async () => {
    await world?.close();
  });

  function bundled(name: string): SynthesizedFunction {
    const fn = functions.find((candidate) => candidate.logicalId.startsWith(`Service${name}Function`));
    if (!fn) throw new Error(`no ${name} function`);
    return fn;
  }

  /**
   * Every variable the template sets with a CloudFormation expression, resolved to its emulated resource
   * (a variable nobody knows how to emulate fails the test), plus the emulators' endpoints.
   */
  function emulatedEnvironment(fn: SynthesizedFunction): Record<string, string> {
    const emulated: Record<string, string> = {
      CODESEARCH_INDEX_URI: indexDir,
      CODESEARCH_KEYS_SECRET_ID: 'signing-keys',
      CODESEARCH_WEBHOOK_SECRET_ID: String(world.env.CODESEARCH_WEBHOOK_SECRET_ID),
      CODESEARCH_GITHUB_TOKEN_SECRET_ID: String(world.env.CODESEARCH_GITHUB_TOKEN_SECRET_ID),
      CODESEARCH_JOB_QUEUE_URL: String(world.env.CODESEARCH_JOB_QUEUE_URL),
      CODESEARCH_DEAD_LETTER_QUEUE_URL: String(world.env.CODESEARCH_DEAD_LETTER_QUEUE_URL),
      ...Object.fromEntries(
        Object.entries(TABLE_ENV).map(([table, variable]) => [
          variable,
          world.dynamo.tables[table as keyof typeof TABLE_ENV],
        ]),
      ),
    };
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(fn.environment)) {
      if (typeof value === 'string') continue;
      const stand = emulated[name];
      if (stand === undefined) throw new Error(`${fn.logicalId}: no emulated value for ${name}`);
      resolved[name] = stand;
    }
    return {
      ...resolved,
      AWS_ENDPOINT_URL_DYNAMODB: world.dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: world.sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: world.secrets.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      CODESEARCH_GITHUB_API_URL: world.github.url,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    };
  }

  /** Invokes a bundle once, in a process of its own (a cold start each time), and returns its result. */
  async function invoke(name: string, event: unknown): Promise<unknown> {
    const fn = bundled(name);
    const result = await invokeInSandbox(sandboxOf(fn), fn.handler, event, emulatedEnvironment(fn));
    expect(result.code, `${name} exited: ${result.stderr}\n${result.stdout}`).toBe(0);
    return resultOf(result.stdout);
  }

  const jobsQueued = (): Job[] => world.sqs.peek(JOB_QUEUE).map((message) => JSON.parse(message.body) as Job);

  it('webhook → index worker → upkeep → search, each from its synthesized asset', async () => {
    // Given: a repository on "GitHub" and the push that created its default branch
    const after = world.github.commit(REPO, 'master', {
      'src/upload/retry.ts':
        'export async function retryUpload(attempt: () => Promise<void>, tries = 5): Promise<void> {\n' +
        '  for (let i = 0; ; i++) {\n    try {\n      return await attempt();\n' +
        '    } catch (error) {\n      if (i >= tries) throw error;\n' +
        '      await new Promise((resolve) => setTimeout(resolve, 2 ** i * 100)); // exponential backoff\n' +
        '    }\n  }\n}\n',
      'lib/invoices.py': 'def invoice_total(lines, tax_rate):\n    return sum(lines) * (1 + tax_rate)\n',
    });
    const push = pushPayload({
      before: '0'.repeat(40),
      after,
      pushedAt: 1_800_000_000,
      created: true,
      commits: [{ added: ['src/upload/retry.ts', 'lib/invoices.py'] }],
    });

    // When: GitHub delivers it to the webhook bundle…
    const delivered = (await invoke('Webhook', githubDelivery('push', push, { secret: WEBHOOK_SECRET }))) as {
      statusCode: number;
      body: string;
    };
    expect(delivered.statusCode, delivered.body).toBe(202);
    expect(jobsQueued()).toEqual([expect.objectContaining({ kind: 'sync', repo: INDEX, commit: after })]);

    // …the event source mapping hands the job to the index worker bundle…
    const report = await world.drain([
      async (event) => (await invoke('IndexWorker', event)) as SQSBatchResponse,
    ]);
    expect(report).toMatchObject({ records: 1, failures: 0 });

    // …and the schedule runs the upkeep bundle
    const upkeep = (await invoke('IndexUpkeep', {})) as { versionsBefore: number; indexes: string[] };
    expect(upkeep.versionsBefore).toBeGreaterThan(0);
    expect(upkeep.indexes).toEqual(expect.arrayContaining(['terms_idx']));

    // Then: the search bundle finds the code, lists the repository as indexed at the pushed commit, and
    // queues a re-index for an admin
    const { token } = await mintToken(parseKeySet(signingKeys, 'test keys'), {
      sub: 'operator',
      repos: ['Codertocat/*'],
      scopes: ['search', 'admin'],
      ttlSeconds: 600,
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown) => {
      const response = (await invoke(
        'Search',
        httpEvent(method, path, body === undefined ? undefined : JSON.stringify(body), headers),
      )) as { statusCode: number; body: string };
      return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
    };
    const found = await call('POST', '/search', { query: 'retry an upload with exponential backoff' });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect((found.body.results as { path: string }[])[0]?.path).toBe('src/upload/retry.ts');

    const repos = await call('GET', '/repos');
    expect(repos.status, JSON.stringify(repos.body)).toBe(200);
    expect(repos.body.repos).toEqual([
      expect.objectContaining({ repo: INDEX, commit: after, status: 'ready', files: 2, errors: [] }),
    ]);

    const reindex = await call('POST', `/repos/${REPO}/reindex`);
    expect(reindex.status, JSON.stringify(reindex.body)).toBe(202);
    expect(jobsQueued()).toEqual([
      expect.objectContaining({
        kind: 'sync',
        repo: INDEX,
        index: INDEX,
        branch: 'master',
        reason: 're-index requested',
      }),
    ]);
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
