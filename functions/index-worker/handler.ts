/**
 * Lambda entry point of the index workers (SQS event source, `ReportBatchItemFailures` on). Wiring only: the
 * worker's services are opened once per container behind a memoised promise (a failed cold start is retried
 * by the next invocation); each record runs through `runJob`. Environment: see `WorkerEnvironment` in
 * worker-services.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { awsClients } from '#adapters/aws/clients.ts';
import type { RecordResult } from '#adapters/aws/job-record-handler.ts';
import { functionLogger, powertoolsLog } from '#adapters/aws/powertools-log.ts';
import { createIndexWorkerHandler, type IndexWorkerHandler } from './worker-handler.ts';
import { openIndexWorker } from './worker-services.ts';

const logger = functionLogger('codesearch-index-worker');
const metrics = new Metrics({ namespace: 'codesearch', serviceName: 'index-worker' });
let worker: Promise<IndexWorkerHandler> | undefined;

async function openWorker(): Promise<IndexWorkerHandler> {
  const opened = await openIndexWorker(awsClients(), powertoolsLog(logger));
  return createIndexWorkerHandler({ ...opened.deps, onResult: recordMetrics });
}

/** Work per job as EMF metrics: what freshness costs (downloads, model calls) and how often jobs give way. */
function recordMetrics(result: RecordResult): void {
  metrics.addMetric(`Jobs_${result.status}`, MetricUnit.Count, 1);
  if (result.status === 'dead-lettered') return;
  metrics.addMetric('BlobsDownloaded', MetricUnit.Count, result.downloads);
  metrics.addMetric('FilesWritten', MetricUnit.Count, result.filesWritten);
  metrics.addMetric('FilesDeleted', MetricUnit.Count, result.filesDeleted);
  metrics.addMetric('ChunksEmbedded', MetricUnit.Count, result.chunksEmbedded);
  metrics.addMetric('ChunksFromCache', MetricUnit.Count, result.chunksFromCache);
}

export const handler = middy(async (event: SQSEvent, context: Context) => {
  worker ??= openWorker().catch((error: unknown) => {
    worker = undefined;
    throw error;
  });
  return (await worker)(event, context);
})
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
