/**
 * The GitHub token secret as the stack creates it: a JSON placeholder (`{"placeholder": "…", "value": "…"}`)
 * that the operator replaces with a token. Until then the worker must not send the placeholder to GitHub as
 * a token; it dead-letters the job at once, saying what to do, and shows the failure on the index's state.
 * Once the token is in, a redrive indexes what was missed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveDeadLetters } from '#adapters/aws/redrive.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import { DEAD_LETTER_QUEUE, type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const REPO = 'acme/fresh-deploy';

/** What infra/codesearch-state.ts has CloudFormation generate, with a made-up random part. */
const PLACEHOLDER = JSON.stringify({
  placeholder: 'replace this value with a GitHub token',
  value: 'Zq8RmT2vXw4YbN6c',
});

describe('a GitHub token secret still holding the placeholder', () => {
  let world: PipelineWorld;
  let embedder: OnnxEmbedder;

  beforeAll(async () => {
    world = await startPipelineWorld();
    embedder = await createOnnxEmbedder({ workers: 1 });
  });
  afterAll(async () => {
    await world?.close();
    await embedder?.close();
  });

  it('dead-letters jobs with a reason that says so, asks GitHub nothing, and indexes them after a redrive', async () => {
    // Given: a freshly deployed stack whose token secret nobody has replaced yet, and a job for a repository
    world.secrets.put('github-token', PLACEHOLDER);
    const commit = world.github.commit(REPO, 'main', {
      'src/app.ts': 'export function start(): string {\n  return "started";\n}\n',
    });
    const worker = await world.openWorker({ embedder });
    await new SqsJobQueue(world.clients.sqs, String(world.env.CODESEARCH_JOB_QUEUE_URL)).send([
      { kind: 'sync', repo: REPO, index: REPO, branch: 'main', seq: 1_000, commit, reason: 'first index' },
    ]);
    const requestsBefore = world.github.requests.length;

    // When: the worker takes the job
    const report = await world.drain([worker.handler]);

    // Then: it went to the dead-letter queue on its first delivery, with the reason, and GitHub saw nothing
    expect(report).toMatchObject({ records: 1, failures: 0 });
    const dead = world.sqs.peek(DEAD_LETTER_QUEUE);
    expect(dead).toHaveLength(1);
    const reason = String((dead[0]?.attributes?.reason as { StringValue?: string } | undefined)?.StringValue);
    expect(reason).toMatch(/GitHubTokenNotConfiguredError: the GitHub token is not configured/);
    expect(reason).toContain('still holds the placeholder');
    expect(reason).toContain('github-token'); // the secret to fix
    expect(reason).not.toContain('Zq8RmT2vXw4YbN6c'); // never the secret's value
    expect(world.github.requests.slice(requestsBefore)).toEqual([]);
    const state = world.indexState();
    expect((await state.get(REPO))?.errors[0]).toContain('the GitHub token is not configured');

    // When: the operator puts the token in and redrives the dead-letter queue
    world.secrets.put('github-token', world.github.token);
    const moved = await redriveDeadLetters({
      sqs: world.clients.sqs,
      from: String(world.env.CODESEARCH_DEAD_LETTER_QUEUE_URL),
      to: String(world.env.CODESEARCH_JOB_QUEUE_URL),
      print: () => {},
    });
    expect(moved).toMatchObject({ seen: 1, moved: 1 });
    await world.drain([worker.handler]);

    // Then: the repository is indexed (a failed secret read is never cached, so no restart was needed)
    expect((await state.get(REPO))?.commit).toBe(commit);
    expect(world.sqs.peek(DEAD_LETTER_QUEUE)).toEqual([]);
  });
});
