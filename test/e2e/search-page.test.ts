/**
 * The search page end to end: real server (auth on), real index, Debian's Chromium driven by playwright-core.
 * Leaves a screenshot of the results in test-results/search-page.png.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import { createSearchApi } from '#api/search-api.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from '#test/api/indexed-sample.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = new URL('../../test-results/', import.meta.url).pathname;

describe('search page in headless Chromium', () => {
  let sample: IndexedSample;
  let server: LocalServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  const problems: string[] = [];
  /** Clicks a button that searches, and waits until the page has rendered the API's answer. */
  const searchBy = async (selector: string) => {
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/search') && r.request().method() === 'POST'),
      page.click(selector),
    ]);
    // Polled from the test side: the page's strict CSP forbids the eval that a string predicate would need.
    await expect
      .poll(() => page.locator('#status').textContent(), { timeout: 15_000 })
      .not.toBe('Searching…');
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    const keyText = newKeySetText();
    token = (
      await mintToken(parseKeySet(keyText, 'e2e'), {
        sub: 'e2e',
        repos: ['acme/*'],
        scopes: ['search'],
        ttlSeconds: 600,
      })
    ).token;
    [sample, browser] = await Promise.all([
      openIndexedSample(['acme/sample', 'acme/sample@dev', 'other/secret']),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
    const auth = bearerTokenAuthenticator(cachedKeySet({ description: 'e2e', read: async () => keyText }));
    server = await startLocalServer(
      createSearchApi({ ...sample.services, catalog: sample.catalog, auth, logger: capturingLogger() }),
      { port: 0 },
    );
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    // CSP violations and script errors surface here; the page must produce none.
    page.on('console', (message) => {
      // The browser reports every 4xx fetch as a console error; those are the API answering, not the page failing.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
        problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sample?.close();
  });

  it('asks for a token, then searches, highlights and links results to GitHub', async () => {
    // Given the page without a token
    await page.goto(`${server.url}/`);
    await page.fill('#query', 'retry failed uploads');
    await searchBy('button[type=submit]');
    // Then the API's 401 is shown and the token field opens
    expect(await page.textContent('#status')).toMatch(/Missing Authorization header/);
    expect(await page.getAttribute('#token-panel', 'open')).not.toBeNull();

    // When a token is pasted and the search repeated
    await page.fill('#token', token);
    await page.dispatchEvent('#token', 'change');
    // "All", the one granted repository and its dev branch's index
    await expect.poll(() => page.locator('#repo option').count()).toBe(3);
    await searchBy('button[type=submit]');

    // Then results show path:line, only from the granted repository, with the query terms marked
    const locations = await page.locator('.result .location').allTextContents();
    expect(locations[0]).toMatch(/^src\/upload\/retry\.ts:\d+$/);
    const repos = await page.locator('.result .repo').allTextContents();
    expect(new Set(repos)).toEqual(new Set(['acme/sample']));
    const marks = (await page.locator('.result').first().locator('mark').allTextContents()).map((m) =>
      m.toLowerCase(),
    );
    expect(marks).toEqual(expect.arrayContaining(['retry']));
    // And each links to the repository at its commit (HEAD until the pipeline records commits)
    const href = await page.locator('.result .location').first().getAttribute('href');
    expect(href).toMatch(
      /^https:\/\/github\.com\/acme\/sample\/blob\/HEAD\/src\/upload\/retry\.ts#L\d+-L\d+$/,
    );
    expect(await page.textContent('#status')).toMatch(/results · [\d.]+ ms/);
    expect(new URL(page.url()).searchParams.get('query')).toBe('retry failed uploads');

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}search-page.png`, fullPage: true });
  });

  it('applies filters and pages with "More results"', async () => {
    await page.selectOption('#language', 'python');
    await searchBy('button[type=submit]');
    expect(new Set(await page.locator('.result .lang').allTextContents())).toEqual(new Set(['python']));

    await page.selectOption('#language', '');
    await page.fill('#query', 'function');
    await searchBy('button[type=submit]');
    expect(await page.locator('.result').count()).toBe(10);
    await searchBy('#more');
    expect(await page.locator('.result').count()).toBeGreaterThan(10);
  });

  it('searches a branch index chosen in the repository list, and says so on each result', async () => {
    await page.fill('#path', '');
    await page.selectOption('#repo', 'acme/sample@dev');
    await page.fill('#query', 'retry failed uploads');
    await searchBy('button[type=submit]');
    expect(new Set(await page.locator('.result .repo').allTextContents())).toEqual(
      new Set(['acme/sample@dev']),
    );
    const params = new URL(page.url()).searchParams;
    expect([params.get('repo'), params.get('branch')]).toEqual(['acme/sample', 'dev']);
    await page.selectOption('#repo', '');
  });

  it('shows field-level errors from the API instead of results', async () => {
    await page.fill('#path', 'src/{a,b');
    await searchBy('button[type=submit]');
    expect(await page.textContent('#status')).toMatch(/^path: unclosed "\{"$/);
    expect(await page.getAttribute('#status', 'class')).toBe('error');
    expect(await page.locator('.result').count()).toBe(0);
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(problems).toEqual([]);
  });
});
