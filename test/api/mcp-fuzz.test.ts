/**
 * Generated MCP tool calls — every tool, arguments valid, broken or hostile (other repositories, wildcards,
 * quotes and SQL in every field, wrong types, huge values) — sent as `POST /mcp` events to the handler Lambda
 * runs, with a token for one repository. Whatever the arguments: never a 5xx, never a row of the other
 * repository (nor its name, which the results would carry), nothing in the error log.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import type { HttpHandler } from '#api/http-types.ts';
import { UNLIMITED } from '#api/rate-limiter.ts';
import { createSearchApi } from '#api/search-api.ts';
import { apiGatewayEvent } from './http-event.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from './indexed-sample.ts';

const GRANTED = 'acme/sample';
const OTHER = 'other/secret';

const hostile = fc.constantFrom(
  OTHER,
  'other/*',
  '*',
  'other',
  'OTHER/SECRET',
  'other/secret/',
  ' other/secret',
  "acme/sample' OR repo = 'other/secret",
  "x' OR '1'='1",
  '%',
  'acme/%',
  '\u0000',
  '../other/secret',
);
const anyValue = fc.oneof(
  hostile,
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostile, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ minLength: 2000, maxLength: 12_000 }),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(fc.oneof(arbitrary, anyValue), { nil: undefined });
const repoArg = maybe(fc.constantFrom(GRANTED, OTHER));
const pathArg = maybe(fc.constantFrom('src/upload/retry.ts', 'src/', 'src/**/*.ts', 'lib/invoices.py'));
const lineArg = maybe(fc.integer({ min: 1, max: 60 }));

const TOOL_ARGS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  search_code: fc.record(
    {
      query: maybe(fc.constantFrom('retry upload', 'invoice total', 'secret', 'other')),
      repo: repoArg,
      repos: maybe(fc.array(fc.oneof(fc.constantFrom(GRANTED, OTHER), hostile), { maxLength: 3 })),
      language: maybe(fc.constantFrom('typescript', 'python', 'go')),
      path: pathArg,
      symbol: maybe(fc.constantFrom('retryFailedUpload', 'compute_invoice_total')),
      mode: maybe(fc.constantFrom('hybrid', 'vector', 'keyword')),
      limit: maybe(fc.integer({ min: 1, max: 100 })),
      cursor: maybe(fc.string({ maxLength: 20 })),
    },
    { requiredKeys: [] },
  ),
  find_similar_code: fc.record(
    {
      snippet: maybe(fc.constantFrom('for (let attempt = 1; ; attempt++) {}', 'def total(items):')),
      repo: repoArg,
      path: pathArg,
      line: lineArg,
      repos: maybe(fc.array(fc.oneof(fc.constantFrom(GRANTED, OTHER), hostile), { maxLength: 3 })),
      pathGlob: pathArg,
      limit: maybe(fc.integer({ min: 1, max: 100 })),
    },
    { requiredKeys: [] },
  ),
  get_code_context: fc.record(
    { repo: repoArg, path: pathArg, line: lineArg, neighbours: maybe(fc.integer({ min: 0, max: 5 })) },
    { requiredKeys: [] },
  ),
  find_symbol: fc.record(
    {
      name: maybe(fc.constantFrom('retryFailedUpload', 'UploadQueue.drain', 'secret')),
      repo: repoArg,
      language: maybe(fc.constantFrom('typescript', 'python')),
      limit: maybe(fc.integer({ min: 1, max: 100 })),
    },
    { requiredKeys: [] },
  ),
  list_repositories: fc.record({ extra: maybe(hostile) }, { requiredKeys: [] }),
  read_file: fc.record(
    { repo: repoArg, path: pathArg, startLine: lineArg, endLine: lineArg },
    { requiredKeys: [] },
  ),
};

const toolCall = fc.oneof(
  ...Object.entries(TOOL_ARGS).map(([name, args]) => args.map((a) => ({ name, args: a as unknown }))),
  fc.record({ name: fc.oneof(fc.string({ maxLength: 20 }), hostile), args: anyValue }),
);

describe('MCP tool-argument fuzz: one grant, any arguments, no 5xx and no foreign row', () => {
  let sample: IndexedSample;
  let handler: HttpHandler;
  let bearer: string;
  const logger = capturingLogger();

  beforeAll(async () => {
    sample = await openIndexedSample([GRANTED, OTHER]);
    const keyText = newKeySetText();
    const keys = parseKeySet(keyText, 'test');
    bearer = (await mintToken(keys, { sub: 'fuzz', repos: [GRANTED], scopes: ['search'], ttlSeconds: 600 }))
      .token;
    handler = createSearchApi({
      ...sample.services,
      auth: bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText })),
      rateLimiter: UNLIMITED,
      catalog: sample.catalog,
      logger,
    });
  });

  afterAll(async () => {
    await sample?.close();
  });

  it('keeps every answer inside the grant', async () => {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(toolCall, async ({ name, args }) => {
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: ++id,
          method: 'tools/call',
          params: { name, arguments: args },
        });
        const result = await handler(
          apiGatewayEvent('POST', '/mcp', {
            body,
            headers: { authorization: `Bearer ${bearer}`, accept: 'application/json, text/event-stream' },
          }),
        );
        const where = body.slice(0, 300);
        expect(result.statusCode, where).toBeLessThan(500);
        const answer = JSON.parse(result.body || '{}') as {
          result?: { isError?: boolean; structuredContent?: unknown };
        };
        // Rows come from the granted repository only.
        expect(JSON.stringify(answer.result?.structuredContent ?? {}), where).not.toMatch(
          /"repo":"(?!acme\/sample")/,
        );
        // The other repository's name is never in an answer unless the call itself sent it (echoed back in an
        // error about it, or as the symbol asked for): a row of it would carry it without being asked.
        if (!body.toLowerCase().includes(OTHER))
          expect(result.body.toLowerCase(), where).not.toContain(OTHER);
      }),
      { numRuns: 400 },
    );
    expect(logger.errors).toEqual([]);
  });
});
