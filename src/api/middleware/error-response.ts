/**
 * Turns any error into the API's JSON error body. Our own rather than @middy/http-error-handler because that
 * one writes the message as text/plain, and callers rely on `{ "error", "issues" }` JSON. Exposed errors keep
 * their message; anything else is a 500 whose details go to the log only.
 */
import type { MiddlewareObj } from '@middy/core';
import { z } from 'zod';
import { CodeSearchError, InvalidRequestError } from '#engine/errors.ts';
import { redactor } from '#engine/secret-redaction.ts';
import { MethodNotAllowedError, TooManyRequestsError, UnauthorizedError } from '../errors.ts';
import { type HttpEvent, type HttpResult, jsonResult } from '../http-types.ts';
import { PROTECTED_RESOURCE_PATH, publicOrigin } from '../public-origin.ts';
import type { ApiLogger } from './request-log.ts';

export function errorResponse(logger: ApiLogger): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      request.response = errorToResult(
        request.error,
        (error) =>
          logger.error('unexpected error', {
            requestId: request.event.requestContext?.requestId,
            error:
              error instanceof Error
                ? { name: error.name, message: error.message, stack: error.stack }
                : String(error),
          }),
        { resourceMetadata: `${publicOrigin(request.event)}${PROTECTED_RESOURCE_PATH}` },
      );
    },
  };
}

/**
 * @param options.resourceMetadata - the URL of this API's protected-resource metadata, which a 401 names
 *   (RFC 9728 §5.1) so that an MCP client can discover how to authenticate
 */
export function errorToResult(
  error: unknown,
  logUnexpected: (error: unknown) => void,
  options: { resourceMetadata?: string } = {},
): HttpResult {
  // Messages that are shown pass the secret redactor too: none should hold a secret, but none may.
  const shown = (message: string): string => redactor.redact(message);
  if (error instanceof InvalidRequestError)
    return jsonResult(error.statusCode, { error: shown(error.message), issues: error.issues });
  if (error instanceof UnauthorizedError) {
    return jsonResult(
      401,
      { error: shown(error.message) },
      {
        'www-authenticate': [
          'Bearer realm="codesearch"',
          'error="invalid_token"',
          ...(options.resourceMetadata ? [`resource_metadata="${options.resourceMetadata}"`] : []),
        ].join(', '),
      },
    );
  }
  if (error instanceof TooManyRequestsError)
    return jsonResult(
      429,
      { error: shown(error.message) },
      { 'retry-after': String(error.retryAfterSeconds) },
    );
  if (error instanceof MethodNotAllowedError)
    return jsonResult(405, { error: shown(error.message) }, { allow: error.allowed.join(', ') });
  if (error instanceof CodeSearchError && error.expose)
    return jsonResult(error.statusCode, { error: shown(error.message) });
  if (error instanceof z.ZodError) return jsonResult(400, { error: shown(error.message) });
  logUnexpected(error);
  return jsonResult(500, { error: 'Internal error' });
}
