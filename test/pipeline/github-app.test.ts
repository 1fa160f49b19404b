/**
 * The index worker with a GitHub App's credentials in the GitHub token secret instead of a token, against the
 * emulators: it indexes a repository end to end with an installation token; a private key that is not the
 * app's sends the job to the dead-letter queue with a reason that says what to fix, and no log line, reason
 * or index error carries the secret; a plain token in the same secret still works. The app's keys are
 * generated here, never stored.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import type { PipelineLog } from '#engine/pipeline/ports.ts';
import { DEAD_LETTER_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const APP_ID = '31337';
const INSTALLATION_ID = '4242';

/** PKCS#1 PEM, the format of the key GitHub lets an app owner download. */
function rsaKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey };
}

function appSecret(privateKey: string): string {
  return JSON.stringify({ appId: APP_ID, installationId: INSTALLATION_ID, privateKey });
}

describe('an index worker authenticating as a GitHub App', () => {
  const appKeys = rsaKeyPair();
  let world: PipelineWorld;
  let embedder: OnnxEmbedder;
  /** Everything the worker logged, and everything written to the console, as text. */
  const logged: string[] = [];
  const log: PipelineLog = {
    info: (message, fields) => logged.push(`${message} ${JSON.stringify(fields ?? {})}`),
    warn: (message, fields) => logged.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };

  beforeAll(async () => {
    world = await startPipelineWorld({
      github: { app: { appId: APP_ID, installationId: INSTALLATION_ID, publicKey: appKeys.publicKey } },
    });
    embedder = await createOnnxEmbedder({ workers: 1 });
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(
          args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(' '),
        );
      });
  });
  afterEach(() => {
    logged.length = 0;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await world?.close();
    await embedder?.close();
  });

  const enqueue = (repo: string, commit: string, seq: number) =>
    new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)).send([
      { kind: 'sync', repo, index: repo, branch: 'main', seq, commit, reason: 'first index' },
    ]);
  const exchanges = () => world.github.requests.filter((line) => line.startsWith('POST /app/installations/'));

  it('indexes a repository with one installation token', async () => {
    // Given: the App's credentials in the token secret, and a job for a repository
    const repo = 'acme/app-indexed';
    world.secrets.put('github-token', appSecret(appKeys.privatePem));
    const commit = world.github.commit(repo, 'main', {
      'src/app.ts': 'export function start(): string {\n  return "started";\n}\n',
      'src/util.ts': 'export const twice = (n: number): number => n * 2;\n',
    });
    const worker = await world.openWorker({ embedder, log });
    await enqueue(repo, commit, 1_000);

    // When: the worker takes the job
    await world.drain([worker.handler]);

    // Then: the repository is indexed, every GitHub request after the one exchange carried the installation
    // token (the emulator refuses anything else), and the key appears in no log line
    expect((await world.indexState().get(repo))?.commit).toBe(commit);
    expect(world.sqs.peek(DEAD_LETTER_QUEUE)).toEqual([]);
    expect(exchanges()).toEqual([`POST /app/installations/${INSTALLATION_ID}/access_tokens`]);
    const reader = await world.openReader(embedder);
    try {
      const paths = (await reader.listChunks({ repos: [repo] }, 100)).map((chunk) => chunk.path);
      expect(new Set(paths)).toEqual(new Set(['src/app.ts', 'src/util.ts']));
    } finally {
      await reader.close();
    }
    expectNoSecretIn(logged, appSecret(appKeys.privatePem));
  });

  it('dead-letters the job with a reason naming what to fix when the private key is not the app’s', async () => {
    // Given: a private key of some other app in the secret
    const repo = 'acme/app-wrong-key';
    const wrongSecret = appSecret(rsaKeyPair().privatePem);
    world.secrets.put('github-token', wrongSecret);
    const commit = world.github.commit(repo, 'main', { 'src/a.ts': 'export const a = 1;\n' });
    const worker = await world.openWorker({ embedder, log });
    await enqueue(repo, commit, 2_000);

    // When: the worker takes the job
    await world.drain([worker.handler]);

    // Then: dead-lettered at once with a reason that names the secret and the fix, also on the index's state
    const dead = world.sqs.peek(DEAD_LETTER_QUEUE);
    expect(dead).toHaveLength(1);
    const reason = String((dead[0]?.attributes?.reason as { StringValue?: string } | undefined)?.StringValue);
    expect(reason).toMatch(
      /GitHubAppRefusedError: GitHub refused the app's signed token \(401\) for App ID 31337/,
    );
    expect(reason).toContain('the private key in secret github-token is not one of that app');
    const recorded = (await world.indexState().get(repo))?.errors ?? [];
    expect(recorded[0]).toContain('refused the app');
    // And: the failure was logged, and the secret is in no log line, reason or recorded error
    expect(logged.some((line) => line.includes('refused the app'))).toBe(true);
    expectNoSecretIn([...logged, reason, ...recorded], wrongSecret);
  });

  it('still uses a plain token from the same secret', async () => {
    // Given: a token (not JSON) in the secret
    const repo = 'acme/plain-token';
    world.secrets.put('github-token', world.github.token);
    const commit = world.github.commit(repo, 'main', { 'src/b.ts': 'export const b = 2;\n' });
    const worker = await world.openWorker({ embedder, log });
    const exchangesBefore = exchanges().length;
    await enqueue(repo, commit, 3_000);

    // When: the worker takes the job
    await world.drain([worker.handler]);

    // Then: indexed with the token as it is, without any installation token
    expect((await world.indexState().get(repo))?.commit).toBe(commit);
    expect(world.sqs.peek(DEAD_LETTER_QUEUE)).toHaveLength(1); // only the wrong-key job's
    expect(exchanges()).toHaveLength(exchangesBefore);
  });
});

/** No whole secret, no PEM armour, and no line of the key's body in any of `lines`. */
function expectNoSecretIn(lines: readonly string[], secret: string): void {
  const privateKey = (JSON.parse(secret) as { privateKey: string }).privateKey;
  const keyLines = privateKey.split('\n').filter((line) => line.length >= 20);
  expect(keyLines.length).toBeGreaterThan(10);
  for (const line of lines) {
    expect(line).not.toContain(secret);
    expect(line).not.toContain('PRIVATE KEY');
    for (const keyLine of keyLines) expect(line).not.toContain(keyLine);
  }
}
