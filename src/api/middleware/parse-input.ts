/**
 * Validates a route's input with its zod schema: a JSON body (415 without a JSON content type, 413 over
 * 64 KB, 400 for bad JSON) or the query string. Every failure is a 400 listing each field and what is wrong
 * with it; unknown fields are among them.
 *
 * Every POST needs a JSON content type, even one that takes no body (`/repos/{repo}/reindex`): a web page can
 * send a cross-origin form POST without asking, but not a JSON one (that needs a CORS preflight, which this
 * API never grants).
 */
import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import { InvalidRequestError, PayloadTooLargeError } from '#engine/errors.ts';
import { UnsupportedMediaTypeError } from '../errors.ts';
import type { HttpEvent, HttpResult } from '../http-types.ts';
import { EmptyBodySchema, MAX_BODY_BYTES, NoQuerySchema } from '../schemas.ts';
import { header, stateOf } from './request-state.ts';

export function parseInput(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const state = stateOf(request);
      const route = state.route;
      if (!route) return;
      const where = `${route.method} ${route.path}`;
      if (route.method === 'POST' && route.input?.from !== 'body') {
        // No input, but the body (if any) must still be JSON, and say nothing.
        const body = readJsonBody(request.event, where, { optional: true });
        if (body !== undefined) validate(EmptyBodySchema, body, `Invalid ${where} request`);
      }
      if (route.input?.from === 'body') {
        // An empty body is an empty object: its schema says whether that is enough (`POST …/reindex`).
        state.input = validate(
          route.input.schema,
          readJsonBody(request.event, where, { optional: true }) ?? {},
          `Invalid ${where} request`,
        );
      } else {
        const query = request.event.queryStringParameters ?? {};
        // Routes without declared input still refuse unknown parameters (but a public page ignores them).
        const schema =
          route.input?.from === 'query'
            ? route.input.schema
            : route.access === 'public'
              ? undefined
              : NoQuerySchema;
        if (schema) state.input = validate(schema, { ...query }, `Invalid ${where} query`);
      }
    },
  };
}

/** The parsed JSON body; with `optional`, undefined for an empty one. */
function readJsonBody(event: HttpEvent, where: string, options: { optional?: boolean } = {}): unknown {
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType))
    throw new UnsupportedMediaTypeError(`${where} expects a JSON body (content-type: application/json)`);
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (options.optional && body.toString('utf8').trim() === '') return undefined;
  if (body.byteLength > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidRequestError('Request body is not valid JSON');
  }
}

export function validate<T>(schema: z.ZodType<T, unknown>, value: unknown, summary: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) => {
    const at = issue.path.map(String).join('.');
    // An unknown field is reported at the field itself, so clients can point at it.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ path: at ? `${at}.${key}` : key, message: 'unknown field' }));
    return [{ path: at || '(body)', message: issue.message }];
  });
  throw new InvalidRequestError(
    `${summary}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
}
