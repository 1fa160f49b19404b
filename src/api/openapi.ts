/**
 * The OpenAPI 3.1 document, generated from the route table and the very zod schemas that validate requests
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12, zod's default target), so documentation and behaviour agree.
 */
import { z } from 'zod';
import type { Route } from './route.ts';

export function openApiDocument(
  routes: readonly Route[],
  info: { version: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: operationId(route),
      security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
      parameters: [
        ...pathParameters(route),
        ...(route.input?.from === 'query' ? queryParameters(route.input.schema) : []),
      ],
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, doc]) => [
          status,
          {
            description: doc.description,
            ...(doc.schema || doc.contentType
              ? {
                  content: {
                    [doc.contentType ?? 'application/json']: doc.schema
                      ? { schema: jsonSchema(doc.schema, 'output') }
                      : {},
                  },
                }
              : {}),
          },
        ]),
      ),
    };
    if (route.access !== 'public') {
      const responses = operation.responses as Record<string, unknown>;
      responses['401'] ??= { description: 'Missing, malformed, expired or wrongly signed token.' };
      responses['429'] ??= { description: 'Rate limited; see the Retry-After header.' };
    }
    if (route.input?.from === 'body') {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.input.schema, 'input') } },
      };
    }
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'codesearch API',
      version: info.version,
      description: 'Semantic code search. Every route but /health and / needs `Authorization: Bearer <JWT>`.',
    },
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function queryParameters(schema: z.ZodType): unknown[] {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

function pathParameters(route: Route): unknown[] {
  return [...route.path.matchAll(/\{([a-z]+)\}/gi)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

function operationId(route: Route): string {
  const words = route.path.replace(/[{}]/g, '').split('/').filter(Boolean);
  const name = words.map((word, i) => (i === 0 ? word : word[0]?.toUpperCase() + word.slice(1))).join('');
  return `${route.method.toLowerCase()}${name ? name[0]?.toUpperCase() + name.slice(1) : 'Page'}`;
}
