/**
 * Lambda entry point of index upkeep (an EventBridge schedule). Wiring only: the chunk table is opened once
 * per container; each run first queues the rebuilds a model change calls for (cheap, and independent of the
 * table's health), then refreshes indexes, compacts and removes versions past the retention, and logs what it
 * did. Environment: see `UpkeepEnvironment` in upkeep-services.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { RebuildReport } from '#adapters/aws/generation-rebuilds.ts';
import { functionLogger } from '#adapters/aws/powertools-log.ts';
import type { UpkeepReport } from '#adapters/lancedb/lance-chunk-store.ts';
import { openUpkeepTarget, type UpkeepTarget } from './upkeep-services.ts';

const logger = functionLogger('codesearch-index-upkeep');
let target: Promise<UpkeepTarget> | undefined;

export type UpkeepRun = UpkeepReport & { readonly generation: string; readonly rebuilds: RebuildReport };

export const handler = middy(async (): Promise<UpkeepRun> => {
  target ??= openUpkeepTarget().catch((error: unknown) => {
    target = undefined;
    throw error;
  });
  const { generation, store, retainVersionsMs, queueRebuilds } = await target;
  const rebuilds = await queueRebuilds();
  if (rebuilds.queued.length > 0) logger.info('index rebuilds queued', { generation, ...rebuilds });
  const started = performance.now();
  const report = await store.upkeep({ retainVersionsMs });
  logger.info('index upkeep done', { generation, ...report, ms: Math.round(performance.now() - started) });
  return { ...report, generation, rebuilds };
}).use(injectLambdaContext(logger, { clearState: true }));
