/**
 * Lambda entry point of the GitHub webhook (API Gateway HTTP API or Function URL, payload v2). Wiring only:
 * the handler is built once per container from the environment (see `WebhookEnvironment` in
 * webhook-services.ts) and the shared clients; the work is in `receiveWebhook`
 * (src/adapters/github/webhook-receiver.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { awsClients } from '#adapters/aws/clients.ts';
import { functionLogger, powertoolsLog } from '#adapters/aws/powertools-log.ts';
import type { WebhookHandler } from './webhook-handler.ts';
import { openWebhook } from './webhook-services.ts';

const logger = functionLogger('codesearch-webhook');
let core: WebhookHandler | undefined;

export const handler = middy(async (event: APIGatewayProxyEventV2, context: Context) => {
  core ??= openWebhook(awsClients(), powertoolsLog(logger));
  return core(event, context);
}).use(injectLambdaContext(logger, { clearState: true }));
