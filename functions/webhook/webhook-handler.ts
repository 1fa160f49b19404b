/**
 * The webhook's Lambda shape (API Gateway HTTP API or Function URL, payload v2) around `receiveWebhook`:
 * decode the body exactly as sent (the signature covers the raw bytes), call the core, serialise the reply.
 * An unexpected failure (Secrets Manager or SQS unreachable) is a 500 without details, so GitHub records a
 * failed delivery that can be redelivered.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { receiveWebhook, type WebhookDeps, type WebhookRequest } from '#adapters/github/webhook-receiver.ts';

export type WebhookHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export function createWebhookHandler(
  deps: WebhookDeps,
  registerContext?: (context: Context) => void,
): WebhookHandler {
  return async (event, context) => {
    registerContext?.(context);
    try {
      const reply = await receiveWebhook(deps, toWebhookRequest(event));
      return json(reply.status, reply.body);
    } catch (error) {
      deps.log.warn('webhook failed', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      return json(500, { message: 'internal error; the delivery can be retried' });
    }
  };
}

export function toWebhookRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  return { method: event.requestContext.http.method, headers, body };
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
