/**
 * The Lambda entry points themselves (functions/webhook, functions/index-worker, functions/index-upkeep), built
 * from the environment exactly as in AWS — clients from `AWS_ENDPOINT_URL_<SERVICE>`, configuration validated
 * at cold start — against the emulators, with the real ONNX model. Also the scheduled upkeep: compaction,
 * index builds and version cleanup, while search keeps answering.
 */
import type { APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpkeepReport } from '#adapters/lancedb/lance-chunk-store.ts';
import { DEFAULT_MODEL_DIR, readModelDirectory } from '#engine/embedding/index.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import { githubDelivery } from './helpers/http-events.ts';
import { type PipelineWorld, startPipelineWorld, WEBHOOK_SECRET } from './helpers/pipeline-world.ts';
import { EXAMPLE_REPO, examplePayloads, pushPayload } from './helpers/webhook-examples.ts';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

describe('Lambda entry points, configured from the environment', () => {
  let world: PipelineWorld;
  let webhook: Handler<unknown, APIGatewayProxyStructuredResultV2>;
  let worker: Handler<SQSEvent, SQSBatchResponse>;
  let upkeep: Handler<unknown, UpkeepReport>;
  const saved = { ...process.env };

  beforeAll(async () => {
    world = await startPipelineWorld();
    Object.assign(process.env, world.env, {
      AWS_ENDPOINT_URL_DYNAMODB: world.dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: world.sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: world.secrets.endpoint,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true', // metrics are still recorded, only not printed
      CODESEARCH_VERSION_RETENTION_HOURS: '0',
    });
    webhook = (await import('../../functions/webhook/handler.ts')).handler as never;
    worker = (await import('../../functions/index-worker/handler.ts')).handler as never;
    upkeep = (await import('../../functions/index-upkeep/handler.ts')).handler as never;
    await world.register(EXAMPLE_REPO);
  });
  afterAll(async () => {
    process.env = saved;
    await world?.close();
  });

  it('webhook → worker → upkeep, each from its own handler module', async () => {
    // Given: a repository, and a push of two commits to it
    const base = world.github.commit(EXAMPLE_REPO, 'master', {
      'src/a.ts': 'export function alpha() { return 1; }\n',
    });
    const files: string[] = [];
    for (let i = 0; i < 6; i++) files.push(`src/gen${i}.ts`);
    const { after } = world.github.change(
      EXAMPLE_REPO,
      'master',
      Object.fromEntries(files.map((path, i) => [path, `export const beta${i} = ${i};\n`])),
    );

    // When: GitHub pings, then delivers the pushes (the first one creates the branch)
    const ping = await webhook(
      githubDelivery('ping', examplePayloads('ping')[0], { secret: WEBHOOK_SECRET }),
      lambdaContext('webhook'),
    );
    expect(ping.statusCode).toBe(200);
    const created = pushPayload({
      before: '0'.repeat(40),
      after: base,
      pushedAt: 100,
      created: true,
      commits: [{ added: ['src/a.ts'] }],
    });
    const pushed = pushPayload({ before: base, after, pushedAt: 200, commits: [{ added: files }] });
    for (const payload of [created, pushed]) {
      const response = await webhook(
        githubDelivery('push', payload, { secret: WEBHOOK_SECRET }),
        lambdaContext('webhook'),
      );
      expect(response.statusCode, String(response.body)).toBe(202);
    }
    // …and the index worker's event source mapping delivers the queue
    await world.drain([(event, context) => worker(event, context)]);

    // Then: the second push is searchable
    const state = await world.indexState().get(EXAMPLE_REPO);
    expect(state?.commit).toBe(after);
    const model = await readModelDirectory(DEFAULT_MODEL_DIR);
    const reader = await world.openReader({ modelId: model.modelId, dimension: model.config.dimension });
    try {
      expect(await reader.countChunks(EXAMPLE_REPO)).toBe(7);

      // When: the scheduled upkeep runs (retention 0: only the current version is kept)
      const report = await upkeep({}, lambdaContext('upkeep'));

      // Then: old versions are gone, indexes exist, and the data is unchanged
      expect(report.versionsBefore).toBeGreaterThan(2);
      expect(report.versionsAfter).toBeLessThan(report.versionsBefore);
      expect(report.oldVersionsRemoved).toBeGreaterThan(0);
      expect(report.indexes).toEqual(expect.arrayContaining(['terms_idx', 'repo_idx', 'path_idx', 'id_idx']));
      expect(await reader.countChunks(EXAMPLE_REPO)).toBe(7);
      expect((await reader.keywordSearch('beta3', { repos: [EXAMPLE_REPO] }, 5))[0]?.chunk.path).toBe(
        'src/gen3.ts',
      );
    } finally {
      await reader.close();
    }
  });

  it('refuses to start with a missing variable, naming it', async () => {
    const { openIndexWorker } = await import('../../functions/index-worker/worker-services.ts');
    const { CODESEARCH_INDEX_STATE_TABLE: _, ...incomplete } = world.env;
    await expect(openIndexWorker(world.clients, { info() {}, warn() {} }, incomplete)).rejects.toThrow(
      /CODESEARCH_INDEX_STATE_TABLE/,
    );
  });
});
