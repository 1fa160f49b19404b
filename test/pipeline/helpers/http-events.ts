/** API Gateway HTTP API (payload v2) events, as the webhook and search functions receive them. */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signWebhookBody } from '#adapters/github/webhook-signature.ts';

export function httpEvent(
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

/** A webhook delivery as GitHub sends it: raw JSON body, signature over exactly those bytes. */
export function githubDelivery(
  event: string,
  payload: unknown,
  options: { secret?: string; deliveryId?: string; signature?: string | null; body?: string } = {},
): APIGatewayProxyEventV2 {
  const body = options.body ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': event,
    'x-github-delivery': options.deliveryId ?? randomUUID(),
    'x-github-hook-id': '109948940',
  };
  const signature =
    options.signature === undefined ? signWebhookBody(options.secret ?? '', body) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return httpEvent('POST', '/webhook', body, headers);
}
