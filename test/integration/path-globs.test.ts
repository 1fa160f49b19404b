/**
 * Path globs against the store that runs them: every glob the API accepts must compile in LanceDB's regex
 * engine (Rust's `regex`), in every mode and in `/similar`; the rest must be a 400 that names the problem.
 * Before, `[z-a]`, `[9-0]`, `[/-.]` and 250 nested `{…}` passed validation and failed inside the query as a 500.
 * LanceDB itself is the oracle here, on random globs built from every character with a meaning in them.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '#api/http-types.ts';
import { createSearchApi } from '#api/search-api.ts';
import { apiGatewayEvent } from '../api/http-event.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from '../api/indexed-sample.ts';

describe('path globs through the search API (real LanceDB)', () => {
  let sample: IndexedSample;
  let api: HttpHandler;

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample']);
    api = createSearchApi({ ...sample.services, logger: capturingLogger() });
  });

  afterAll(async () => {
    await sample?.close();
  });

  const post = (route: string, body: unknown) =>
    api(apiGatewayEvent('POST', route, { body: JSON.stringify(body) }));
  const search = (path: string, mode: string) =>
    post('/search', { query: 'retry upload', path, mode, limit: 3 });
  const similar = (path: string) => post('/similar', { snippet: 'retry upload', path, limit: 3 });

  it.each([
    ['[z-a]', /range "z-a" runs backwards/],
    ['[9-0]/*.ts', /range "9-0" runs backwards/],
    ['src/[/-.]x', /range "\/-\." runs backwards/],
    [`${'{'.repeat(250)}a${'}'.repeat(250)}`, /nested deeper than 10/],
    ['src/[!]', /empty character class/],
    ['[a&&b]', /character classes may hold/],
  ])('answers 400 naming the problem for %j, in every mode and in /similar', async (glob, problem) => {
    for (const response of [
      await search(glob, 'hybrid'),
      await search(glob, 'vector'),
      await search(glob, 'keyword'),
      await similar(glob),
    ]) {
      expect(response.statusCode, response.body).toBe(400);
      expect(JSON.parse(response.body).error).toMatch(problem);
    }
  });

  it('still matches with globs that are fine, ranges and escaped hyphens included', async () => {
    const response = await search('src/[a-z]*/{retry,tokens}.[t-t]s', 'keyword');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).results.map((r: { path: string }) => r.path)).toContain(
      'src/upload/retry.ts',
    );
    expect((await search('src/**/[-_a-z]*.ts', 'vector')).statusCode).toBe(200);
  });

  it('never answers 500 for a random glob: either the store runs it or it is a 400', async () => {
    const char = fc.constantFrom('a', 'z', 'A', '0', '9', '-', '_', '.', '/', '!', '^', '&', '~', '@', ',');
    const piece = fc.oneof(
      fc.constantFrom('*', '**', '**/', '?', '[', ']', '{', '}', ','),
      char,
      // Classes with random members and ranges, which is where the two engines disagree most
      fc
        .tuple(fc.constantFrom('', '!', '^'), fc.array(fc.tuple(char, fc.option(char)), { maxLength: 3 }))
        .map(([negation, items]) => `[${negation}${items.map(([a, b]) => (b ? `${a}-${b}` : a)).join('')}]`),
    );
    const glob = fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(''));
    await fc.assert(
      fc.asyncProperty(glob, fc.constantFrom('hybrid', 'vector', 'keyword'), async (path, mode) => {
        const response = await search(path, mode);
        expect([200, 400], `${path} (${mode}): ${response.body}`).toContain(response.statusCode);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
