import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, environmentSchema } from '#adapters/aws/environment-contract.ts';
import { CHUNKING_WORKER_ENV } from '#engine/chunking/worker-chunker.ts';
import { EMBEDDING_WORKER_ENV } from '#engine/embedding/onnx-embedder.ts';
import { UpkeepEnvironment } from '../../../functions/index-upkeep/upkeep-services.ts';
import { WorkerEnvironment } from '../../../functions/index-worker/worker-services.ts';
import { WebhookEnvironment } from '../../../functions/webhook/webhook-services.ts';
import { FUNCTION_ENV } from '../../../infra/function-environment.ts';

const NAMES = Object.values(ENVIRONMENT).map((entry) => entry.name);

describe('the environment contract', () => {
  it('names every variable once, as the engine and the stack spell them', () => {
    expect(new Set(NAMES).size).toBe(NAMES.length);
    expect(NAMES).toEqual(expect.arrayContaining([EMBEDDING_WORKER_ENV, CHUNKING_WORKER_ENV]));
    expect(Object.values(FUNCTION_ENV).sort()).toEqual([...NAMES].sort());
  });

  it('is where every variable a function reads comes from', () => {
    for (const schema of [WebhookEnvironment, WorkerEnvironment, UpkeepEnvironment])
      for (const name of Object.keys(schema.shape)) expect([...NAMES, 'AWS_REGION']).toContain(name);
  });

  it('builds a function’s schema: required as declared, optional as asked, defaults kept', () => {
    const shape = environmentSchema(['indexUri', 'keysTtlSeconds'], ['modelDir']);
    expect(Object.keys(shape).sort()).toEqual([
      'CODESEARCH_INDEX_URI',
      'CODESEARCH_KEYS_TTL_SECONDS',
      'CODESEARCH_MODEL_DIR',
    ]);
    expect(shape.CODESEARCH_INDEX_URI.safeParse(undefined).success).toBe(false);
    expect(shape.CODESEARCH_MODEL_DIR.safeParse(undefined).success).toBe(true);
    expect(shape.CODESEARCH_KEYS_TTL_SECONDS.parse(undefined)).toBe(300);
  });
});
