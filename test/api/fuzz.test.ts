/**
 * Thousands of generated bad requests — wrong types, huge strings, control characters, quotes and SQL
 * fragments in every field — must all get a 4xx with a JSON error, never a 5xx, and nothing may reach the
 * error log. Most go straight into the handler (the same one Lambda runs) for speed; a batch goes through the
 * local server's real sockets too.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import type { HttpEvent, HttpHandler } from '#api/http-types.ts';
import { UNLIMITED } from '#api/rate-limiter.ts';
import { createSearchApi } from '#api/search-api.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';
import { apiGatewayEvent as event } from './http-event.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from './indexed-sample.ts';

// ---- generators -------------------------------------------------------------------------------------------

/** Characters no repository name, path filter or symbol may hold, alone and inside injection attempts. */
const FORBIDDEN = [
  "'",
  '"',
  '\\',
  '`',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\n',
  "' OR '1'='1",
  "'; DROP TABLE chunks; --",
  "') OR ('a'='a",
  "\\' OR 1=1 --",
  "x' UNION SELECT * FROM chunks --",
  "%' OR path LIKE '%",
  "repo = 'a' OR TRUE --'",
];
const anyText = fc.string({ maxLength: 30, unit: 'binary' });
/** Always contains at least one forbidden character, wherever it sits. */
const evil = fc.tuple(anyText, fc.constantFrom(...FORBIDDEN), anyText).map(([a, b, c]) => a + b + c);
const huge = (min: number) => fc.string({ minLength: min, maxLength: min + 2000 });
const notString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
const badLimit = fc.oneof(
  fc.integer({ max: 0 }),
  fc.integer({ min: 101 }),
  fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
  fc.constantFrom('10', '1e2', 'NaN', "1' OR '1'='1", true, null, [10], { n: 10 }),
);
const badRepo = fc.oneof(
  evil,
  huge(202),
  fc.array(evil, { minLength: 1, maxLength: 4 }),
  fc.integer(),
  fc.boolean(),
);
const badEnum = fc.oneof(evil, notString, fc.constantFrom('', 'Python', 'TYPESCRIPT', 'fuzzy', 'hybrid '));
const badCursor = fc.oneof(
  evil,
  anyText.filter((s) => s.length > 0),
  notString,
  huge(513),
);

const SEARCH_FIELDS = {
  query: fc.oneof(notString, huge(1001), fc.constantFrom('', '   ', '\n\t ')),
  repo: badRepo,
  branch: fc.oneof(
    evil,
    huge(201),
    notString,
    fc.constantFrom('', '../main', 'a..b', 'main.lock', '/main', 'feat/', 'x y', '-rf'),
  ),
  language: badEnum,
  path: fc.oneof(evil, huge(513), notString, fc.constantFrom('src/{a,b', 'src/[x', 'a]b', '{{}')),
  symbol: fc.oneof(evil, huge(201), notString, fc.constantFrom('', '  ')),
  mode: badEnum,
  limit: badLimit,
  cursor: badCursor,
};

/** A request with 1-4 fields broken (the rest valid or absent), sometimes with an unknown field. */
function brokenBody(base: Record<string, unknown>, fields: Record<string, fc.Arbitrary<unknown>>) {
  const names = Object.keys(fields);
  return fc
    .record({
      broken: fc.uniqueArray(fc.constantFrom(...names, '(unknown)'), { minLength: 1, maxLength: 4 }),
      values: fc.record(fields),
      unknownKey: fc.oneof(evil, fc.constantFrom('repos', 'limitt', '__proto__x', 'Query', 'constructor')),
      unknownValue: fc.jsonValue(),
    })
    .map(({ broken, values, unknownKey, unknownValue }) => {
      const body: Record<string, unknown> = { ...base };
      for (const name of broken) {
        if (name === '(unknown)') body[unknownKey] = unknownValue ?? 1;
        else body[name] = (values as Record<string, unknown>)[name];
      }
      return body;
    });
}

const badSearchBody = brokenBody({ query: 'retry upload' }, SEARCH_FIELDS);

const badLocation = fc.oneof(
  notString,
  fc.record({ repo: badRepo, path: fc.constant('src/upload/retry.ts'), line: fc.constant(12) }),
  fc.record({
    repo: fc.constant('acme/sample'),
    path: fc.oneof(
      evil.map((s) => `${s}\u0000`),
      huge(1025),
    ),
    line: fc.constant(1),
  }),
  fc.record({ repo: fc.constant('acme/sample'), path: fc.constant('src/upload/retry.ts'), line: badLimit }),
  fc.record({
    repo: fc.constant('acme/sample'),
    path: fc.constant('x.ts'),
    line: fc.constant(1),
    extra: fc.jsonValue(),
  }),
);
const badSimilarBody = fc.oneof(
  brokenBody(
    { snippet: 'function retry() {}' },
    {
      snippet: fc.oneof(notString, huge(10_001), fc.constantFrom('', '  ')),
      repo: badRepo,
      language: badEnum,
      path: SEARCH_FIELDS.path,
      limit: badLimit,
      cursor: badCursor,
    },
  ),
  badLocation.map((location) => ({ location })),
  fc.constant({}),
  fc.constant({ snippet: 'x', location: { repo: 'acme/sample', path: 'src/upload/retry.ts', line: 12 } }),
);

const queryValue = fc.oneof(
  evil,
  huge(1025),
  fc.constantFrom('', '0', '-1', '1.5', '1e3', 'abc', '99999999999', ' 1'),
);
const badContextQuery = brokenBody(
  { repo: 'acme/sample', path: 'src/upload/retry.ts', line: '12' },
  {
    repo: fc.oneof(evil, huge(202)),
    path: fc.oneof(
      evil.map((s) => `${s}\u0001`),
      huge(1025),
      fc.constantFrom('/etc/passwd', '../x'),
    ),
    line: queryValue,
    neighbours: fc.oneof(evil, huge(20), fc.constantFrom('', '-1', '1.5', '6', '100', 'abc', ' 1')),
  },
).map(stringValues);
const badSymbolsQuery = brokenBody(
  { name: 'retryFailedUpload' },
  {
    name: fc.oneof(evil, huge(201), fc.constantFrom('', '   ')),
    repo: fc.oneof(evil, huge(202)),
    language: badEnum.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
    limit: fc.oneof(queryValue, fc.constantFrom('0', '101')),
  },
).map(stringValues);

/** Query strings only carry text. */
function stringValues(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
  );
}

// ---- the test ---------------------------------------------------------------------------------------------

describe('fuzzing the API with bad requests', () => {
  let sample: IndexedSample;
  let api: HttpHandler;
  let server: LocalServer;
  let authorization: string;
  const logger = capturingLogger();
  const statuses = new Map<number, number>();

  const expect4xx = async (e: HttpEvent, what: unknown) => {
    const result = await api(e);
    statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
    if (result.statusCode < 400 || result.statusCode >= 500) {
      throw new Error(
        `${result.statusCode} for ${JSON.stringify(what).slice(0, 500)}: ${result.body.slice(0, 300)}`,
      );
    }
    expect(JSON.parse(result.body)).toEqual(expect.objectContaining({ error: expect.any(String) }));
  };

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample']);
    const keyText = newKeySetText();
    authorization = `Bearer ${(await mintToken(parseKeySet(keyText, 'fuzz'), { sub: 'fuzz', repos: ['acme/*'], scopes: ['search', 'admin'], ttlSeconds: 3600 })).token}`;
    api = createSearchApi({
      ...sample.services,
      auth: bearerTokenAuthenticator(cachedKeySet({ description: 'fuzz', read: async () => keyText })),
      rateLimiter: UNLIMITED,
      logger,
    });
    server = await startLocalServer(api, { port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await sample?.close();
  });

  it('answers every broken POST /search and POST /similar body with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(badSearchBody, (body) =>
        expect4xx(event('POST', '/search', { body: JSON.stringify(body), headers: { authorization } }), body),
      ),
      { numRuns: 1200 },
    );
    await fc.assert(
      fc.asyncProperty(badSimilarBody, (body) =>
        expect4xx(
          event('POST', '/similar', { body: JSON.stringify(body), headers: { authorization } }),
          body,
        ),
      ),
      { numRuns: 600 },
    );
  });

  it('answers every broken GET /context and GET /symbols query with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(badContextQuery, (query) =>
        expect4xx(event('GET', '/context', { query, headers: { authorization } }), query),
      ),
      { numRuns: 500 },
    );
    await fc.assert(
      fc.asyncProperty(badSymbolsQuery, (query) =>
        expect4xx(event('GET', '/symbols', { query, headers: { authorization } }), query),
      ),
      { numRuns: 500 },
    );
  });

  it('answers arbitrary JSON, bad paths, methods and tokens with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/search', '/similar'), fc.jsonValue(), (path, body) =>
        expect4xx(event('POST', path, { body: JSON.stringify(body), headers: { authorization } }), body),
      ),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.oneof(evil, anyText).map((s) => `/${s}`),
        (method, path) => {
          fc.pre(!(method === 'GET' && (path === '/' || path === '/health'))); // the two public pages
          return expect4xx(event(method, path, { body: '{}', headers: { authorization } }), path);
        },
      ),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/repos/{}/reindex', '/repos/acme%2F{}/reindex'),
        evil.map(encodeURIComponent),
        (template, repo) =>
          expect4xx(event('POST', template.replace('{}', repo), { headers: { authorization } }), repo),
      ),
      { numRuns: 200 },
    );
    const tokens = fc.oneof(
      evil,
      huge(9000),
      fc
        .tuple(anyText, anyText, anyText)
        .map((parts) => `Bearer ${parts.map((p) => Buffer.from(p).toString('base64url')).join('.')}`),
      fc.constant(authorization.slice(0, -3)),
      fc.constant(authorization.replace('Bearer', 'Basic')),
      fc.constant(authorization.replace('Bearer ', 'Bearer')),
    );
    await fc.assert(
      fc.asyncProperty(tokens, (token) =>
        expect4xx(
          event('POST', '/search', { body: '{"query":"retry"}', headers: { authorization: token } }),
          token,
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('answers raw bytes, invalid UTF-8 and oversized bodies over real sockets with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/search', '/similar'),
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(new Uint8Array(70_000).fill(0x41))),
        fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', ''),
        async (path, bytes, contentType) => {
          const response = await fetch(`${server.url}${path}`, {
            method: 'POST',
            headers: { authorization, 'content-type': contentType },
            body: bytes,
          });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status, `${path} ${contentType} ${bytes.byteLength} bytes`).toBeGreaterThanOrEqual(
            400,
          );
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('logged no unexpected errors, and exercised the full range of refusals', () => {
    expect(logger.errors).toEqual([]);
    const seen = [...statuses.keys()].sort();
    expect(seen).toEqual(expect.arrayContaining([400, 401, 404, 405, 413, 415]));
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(4000);
  });
});
