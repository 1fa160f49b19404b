/**
 * GitHub App authentication against the GitHub emulator, with a clock the test moves: the app JWT's claims,
 * one installation token shared and reused until a few minutes before it expires, then a new one; a plain
 * token left as it is; and every misconfiguration refused with a message that names what to fix and repeats
 * nothing of the key. Keys are generated here, never stored.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitHubApi } from '#adapters/github/github-api.ts';
import { GitHubAppSecretInvalidError } from '#adapters/github/github-app-secret.ts';
import { githubTokenProvider } from '#adapters/github/github-token-provider.ts';
import { GitHubAppRefusedError } from '#adapters/github/installation-token.ts';
import { cachedSecret } from '#engine/pipeline/cached-secret.ts';
import { type GitHubEmulator, startGitHubEmulator } from '#test/emulators/github-emulator.ts';

const REPO = 'acme/app-auth';
const APP_ID = '123';
const INSTALLATION_ID = '456';
const MINUTE = 60_000;

function rsaKeyPair(): { privatePem: string; publicKey: KeyObject } {
  // PKCS#1 PEM: the format of the key GitHub lets an app owner download.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey };
}

function appSecret(fields: Record<string, unknown>): string {
  return JSON.stringify({ appId: APP_ID, installationId: INSTALLATION_ID, ...fields });
}

describe('GitHub App installation tokens', () => {
  const appKeys = rsaKeyPair();
  const otherKeys = rsaKeyPair();
  let clock = Date.parse('2026-11-21T12:00:00Z');
  const now = () => clock;
  let github: GitHubEmulator;
  let secretReads: number;
  const jwts: string[] = [];

  /** A provider over a secret holding `value`, counting the secret's reads and recording the JWTs sent. */
  const providerFor = (value: string) =>
    githubTokenProvider(
      cachedSecret(
        {
          description: 'arn:test:github-token',
          read: async () => {
            secretReads++;
            return value;
          },
        },
        { now },
      ),
      {
        baseUrl: github.url,
        now,
        fetch: (input, init) => {
          jwts.push(new Headers(init?.headers).get('authorization')?.replace('Bearer ', '') ?? '');
          return fetch(input, init);
        },
      },
    );
  const exchanges = () =>
    github.requests.filter((line) => line.startsWith('POST /app/installations/')).length;
  const readRepository = (token: ReturnType<typeof githubTokenProvider>) =>
    new GitHubApi({ baseUrl: github.url, token, now, retry: { maxAttempts: 1 } }).getJson<{
      full_name: string;
    }>(`/repos/${REPO}`);

  beforeAll(async () => {
    github = await startGitHubEmulator({
      now,
      app: { appId: APP_ID, installationId: INSTALLATION_ID, publicKey: appKeys.publicKey },
    });
    github.commit(REPO, 'main', { 'README.md': '# app auth\n' });
  });
  afterAll(async () => {
    await github?.stop();
  });
  beforeEach(() => {
    secretReads = 0;
    jwts.length = 0;
    github.requests.length = 0;
  });

  it('signs an RS256 app JWT issued 60 s in the past, expiring within 10 minutes, issued by the app', async () => {
    await providerFor(appSecret({ privateKey: appKeys.privatePem })).read();

    expect(jwts).toHaveLength(1);
    expect(decodeProtectedHeader(jwts[0] as string)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const claims = decodeJwt(jwts[0] as string);
    expect(claims.iss).toBe(APP_ID);
    expect(claims.iat).toBe(Math.floor(clock / 1000) - 60);
    expect((claims.exp as number) - Math.floor(clock / 1000)).toBeLessThanOrEqual(600);
    expect(claims.exp as number).toBeGreaterThan(Math.floor(clock / 1000));
  });

  it('reuses one installation token until 5 minutes before it expires, then obtains a new one', async () => {
    // Given: an app secret and a provider that has not asked GitHub anything yet
    const token = providerFor(appSecret({ privateKey: appKeys.privatePem }));

    // When: many requests, some at once, within the token's first 54 minutes
    const first = await Promise.all([token.read(), token.read(), token.read()]);
    clock += 54 * MINUTE;
    const later = await token.read();

    // Then: one exchange served them all, and GitHub accepts the token for repository requests
    expect(new Set([...first, later]).size).toBe(1);
    expect(first[0]).toMatch(/^ghs_/);
    expect(exchanges()).toBe(1);
    expect((await readRepository(token))?.full_name).toBe(REPO);

    // When: the clock reaches 5 minutes before expires_at
    clock += 1 * MINUTE;
    const renewed = await token.read();

    // Then: a new token, which GitHub accepts after the old one has expired
    expect(renewed).not.toBe(later);
    expect(exchanges()).toBe(2);
    clock += 10 * MINUTE;
    expect((await readRepository(token))?.full_name).toBe(REPO);
    expect(exchanges()).toBe(2);
  });

  it('obtains a new installation token when GitHub refuses the held one (401)', async () => {
    // Given: a held installation token that GitHub has revoked before its expiry
    const token = providerFor(appSecret({ privateKey: appKeys.privatePem }));
    const revoked = await token.read();
    github.revokeInstallationTokens();

    // When: a repository request is sent with it
    const repository = await readRepository(token);

    // Then: the refusal made the provider obtain a new token, with which the request succeeded
    expect(repository?.full_name).toBe(REPO);
    expect(exchanges()).toBe(2);
    expect(await token.read()).not.toBe(revoked);
  });

  it('passes a plain token through unchanged and asks GitHub for no installation token', async () => {
    const token = providerFor(github.token);

    expect(await token.read()).toBe(github.token);
    expect((await readRepository(token))?.full_name).toBe(REPO);
    expect(exchanges()).toBe(0);
  });

  describe('refuses a misconfigured secret, naming what to fix and nothing of the key', () => {
    const cases: {
      name: string;
      value: () => string;
      error: new (...args: never[]) => Error;
      says: RegExp;
    }[] = [
      {
        name: 'a private key of another app',
        value: () => appSecret({ privateKey: otherKeys.privatePem }),
        error: GitHubAppRefusedError,
        says: /refused the app's signed token \(401\) for App ID 123: the private key in secret arn:test:github-token is not one of that app's keys/,
      },
      {
        name: 'an installation id GitHub does not know',
        value: () => appSecret({ privateKey: appKeys.privatePem, installationId: '999' }),
        error: GitHubAppRefusedError,
        says: /no installation 999 of App ID 123 \(404\): fix "installationId" in secret arn:test:github-token/,
      },
      {
        name: 'a damaged private key',
        value: () => appSecret({ privateKey: appKeys.privatePem.replace(/[A-Za-z]{8}\n/, '\n') }),
        error: GitHubAppSecretInvalidError,
        says: /private key in secret arn:test:github-token cannot be read: put the whole \.pem file/,
      },
      {
        name: 'missing fields',
        value: () => JSON.stringify({ appId: 'my-app', privateKey: appKeys.privatePem }),
        error: GitHubAppSecretInvalidError,
        says: /"appId" must be the app's numeric App ID; "installationId" must be .*Fix secret arn:test:github-token/,
      },
      {
        name: 'broken JSON',
        value: () => appSecret({ privateKey: appKeys.privatePem }).slice(0, -2),
        error: GitHubAppSecretInvalidError,
        says: /the GitHub App secret is not valid JSON\. Fix secret arn:test:github-token/,
      },
    ];

    it.each(cases)('$name', async ({ value, error, says }) => {
      // Given: the misconfigured secret
      const secret = value();
      const token = providerFor(secret);

      // When: a request needs a token
      const refusal = await token.read().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      // Then: a permanent error that says what to fix, repeats nothing of the secret, and lets a corrected
      // secret be read at once (the cached value was dropped)
      expect(refusal).toBeInstanceOf(error);
      const message = String((refusal as Error).message);
      expect(message).toMatch(says);
      expect(message).not.toContain('PRIVATE KEY');
      for (const line of appKeys.privatePem.split('\n').filter((part) => part.length > 20))
        expect(message).not.toContain(line);
      expect((refusal as Error).cause).toBeUndefined();
      await token.read().catch(() => {});
      expect(secretReads).toBe(2);
    });
  });
});
