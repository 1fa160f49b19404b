/** `GET /openapi.json`: the OpenAPI 3.1 document of every route, generated from the validating schemas. */
import packageJson from '../../../package.json' with { type: 'json' };
import { jsonResult } from '../http-types.ts';
import { openApiDocument } from '../openapi.ts';
import { defineRoute, type Route } from '../route.ts';

export function openApiRoute(routes: () => readonly Route[]): Route {
  let document: Record<string, unknown> | undefined;
  return defineRoute({
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document.',
    access: 'search',
    responses: { 200: { description: 'OpenAPI 3.1 document.' } },
    handle: async () => {
      document ??= openApiDocument(routes(), { version: packageJson.version });
      return jsonResult(200, document, { 'cache-control': 'no-cache' });
    },
  });
}
