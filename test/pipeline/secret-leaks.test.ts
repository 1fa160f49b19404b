/**
 * No secret value leaves the index worker: not in a log line, a dead-letter reason, or the errors that
 * `GET /repos` shows to everyone who may search the repository. End to end on emulators, with the worker's
 * own Powertools logger (its output captured).
 *
 * Before: a GitHub token secret with a second line (the multi-line format the webhook secret uses for
 * rotation) made fetch refuse the header with a message holding the whole value; it reached the dead-letter
 * reason, the index state's errors (so `GET /repos`) and five worker log lines.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IndexStateCatalog } from '#adapters/aws/index-state-catalog.ts';
import { functionLogger, powertoolsLog } from '#adapters/aws/powertools-log.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import { faultsAt } from '#test/emulators/faults.ts';
import { DEAD_LETTER_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const REPO = 'acme/secretive';
// The secret's second line: any text does (the newline is what breaks the header), so not a token's shape.
const SECOND_LINE = 'second-line-of-the-token-secret-not-for-anyone-to-see';

describe('secrets in failures of the index worker (emulators, the worker’s own logger)', () => {
  let world: PipelineWorld;
  let embedder: OnnxEmbedder;
  let logged: string[];
  let seq = 1_000;

  beforeAll(async () => {
    world = await startPipelineWorld();
    embedder = await createOnnxEmbedder({ workers: 1 });
  });
  afterAll(async () => {
    await world?.close();
    await embedder?.close();
  });
  beforeEach(() => {
    logged = [];
    // Powertools writes each log item as one JSON line to stdout (warnings and errors to stderr)
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        logged.push(String(chunk));
        return true;
      });
    return () => vi.restoreAllMocks();
  });

  /** Runs one sync of `REPO` and answers everything that left the worker. */
  async function runOnce(): Promise<{ reason: string; shown: readonly string[]; logs: string }> {
    const commit = world.github.commit(REPO, 'main', { 'src/app.ts': 'export const x = 1;\n' });
    const worker = await world.openWorker({ embedder, log: powertoolsLog(functionLogger('test-worker')) });
    const queueUrl = String(world.env.CODESEARCH_JOB_QUEUE_URL);
    await new SqsJobQueue(world.clients.sqs, queueUrl).send([
      { kind: 'sync', repo: REPO, index: REPO, branch: 'main', seq: ++seq, commit, reason: 'test' },
    ]);
    await world.drain([worker.handler]);
    const dead = world.sqs.peek(DEAD_LETTER_QUEUE).at(-1);
    const reason = String((dead?.attributes?.reason as { StringValue?: string } | undefined)?.StringValue);
    const catalog = new IndexStateCatalog(world.indexState(), new SqsJobQueue(world.clients.sqs, queueUrl));
    const shown = (await catalog.listRepos()).find((record) => record.repo === REPO)?.errors ?? [];
    return { reason, shown, logs: logged.join('') };
  }

  it('refuses a token secret of two lines naming the field, and quotes neither line anywhere', async () => {
    // Given: the token secret holds the token, a line break and a second line
    world.secrets.put('github-token', `${world.github.token}\n${SECOND_LINE}`);

    // When a job runs
    const { reason, shown, logs } = await runOnce();

    // Then the reason says what is wrong with the secret, and no part of it is anywhere
    expect(reason).toMatch(/the GitHub token is not a token: it holds more than one line/);
    expect(shown[0]).toMatch(/it holds more than one line/);
    expect(logs).toMatch(/job dead-lettered/);
    for (const where of [reason, shown.join('\n'), logs]) {
      expect(where).not.toContain(SECOND_LINE);
      expect(where).not.toContain(world.github.token);
    }
  }, 60_000);

  it('redacts a loaded secret from every exit even when a failure quotes it', async () => {
    // Given: a valid token, and GitHub (or a proxy before it) answering with a message that quotes it
    world.secrets.put('github-token', world.github.token);
    world.github.setFaults(
      faultsAt([1], {
        status: 403,
        code: 'Forbidden',
        message: `token ${world.github.token} may not read this repository`,
      }),
    );

    // When a job runs
    const { reason, shown, logs } = await runOnce();

    // Then the failure is there, with the token replaced, in the reason, GET /repos and the logs
    expect(reason).toMatch(/403 forbidden: token \[redacted\] may not read this repository/);
    expect(shown[0]).toMatch(/token \[redacted\] may not/);
    expect(logs).toMatch(/\[redacted\]/);
    for (const where of [reason, shown.join('\n'), logs]) expect(where).not.toContain(world.github.token);
  }, 60_000);
});
