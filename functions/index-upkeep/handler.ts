/**
 * Lambda entry point of index upkeep (an EventBridge schedule). Wiring only: the chunk table is opened once
 * per container; each run refreshes indexes, compacts and removes versions past the retention, and logs what
 * it did. Environment: see `UpkeepEnvironment` in upkeep-services.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { UpkeepReport } from '#adapters/lancedb/lance-chunk-store.ts';
import { openUpkeepTarget, type UpkeepTarget } from './upkeep-services.ts';

const logger = new Logger({ serviceName: 'codesearch-index-upkeep' });
let target: Promise<UpkeepTarget> | undefined;

export const handler = middy(async (): Promise<UpkeepReport> => {
  target ??= openUpkeepTarget().catch((error: unknown) => {
    target = undefined;
    throw error;
  });
  const { store, retainVersionsMs } = await target;
  const started = performance.now();
  const report = await store.upkeep({ retainVersionsMs });
  logger.info('index upkeep done', { ...report, ms: Math.round(performance.now() - started) });
  return report;
}).use(injectLambdaContext(logger, { clearState: true }));
