/**
 * The HTTP shapes every entry point speaks: API Gateway's HTTP API (payload v2) event and result. The local
 * server translates Node requests into these, so Lambda and `codesearch serve` run the very same handler.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
/** `context` is the Lambda context in AWS; the local server passes none. */
export type HttpHandler = (event: HttpEvent, context?: Context) => Promise<HttpResult>;

export function jsonResult(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}
