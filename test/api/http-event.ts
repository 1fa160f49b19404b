import { randomUUID } from 'node:crypto';
import type { HttpEvent } from '#api/http-types.ts';

/** An API Gateway HTTP API (payload v2) event as API Gateway sends it. */
export function apiGatewayEvent(
  method: string,
  path: string,
  options: { body?: string; query?: Record<string, string>; headers?: Record<string, string> },
): HttpEvent {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    queryStringParameters: options.query,
    body: options.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'fuzz',
      apiId: 'fuzz',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}
