import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { type KeySet, newKeySetText, parseKeySet, rotateKeySetText } from '#api/auth/key-set.ts';
import { mintToken, TOKEN_AUDIENCE, TOKEN_ISSUER, verifyBearer } from '#api/auth/tokens.ts';
import { UnauthorizedError } from '#api/errors.ts';
import type { SecretSource } from '#engine/secrets.ts';

/** A secret source whose value the test can change, counting reads. */
function memorySecret(text: string): SecretSource & { text: string; reads: number } {
  const source = {
    text,
    reads: 0,
    description: 'memory secret',
    read: async () => {
      source.reads++;
      return source.text;
    },
  };
  return source;
}

const NOW = new Date('2026-11-02T12:00:00Z');
const bearer = (token: string) => `Bearer ${token}`;

describe('API tokens', () => {
  const text = newKeySetText(NOW);
  const keys = parseKeySet(text, 'test');
  const provider = cachedKeySet(memorySecret(text));
  const mint = (overrides: Partial<Parameters<typeof mintToken>[1]> = {}, with_: KeySet = keys) =>
    mintToken(with_, {
      sub: 'ci',
      repos: ['acme/*', 'other/tool'],
      scopes: ['search'],
      ttlSeconds: 3600,
      now: NOW,
      ...overrides,
    });

  it('round-trips sub, grants and scopes', async () => {
    const { token, kid, expiresAt } = await mint({ scopes: ['search', 'admin'] });
    expect(kid).toBe(keys.active.kid);
    expect(expiresAt).toBe('2026-11-02T13:00:00.000Z');
    const caller = await verifyBearer(bearer(token), provider, { now: NOW });
    expect(caller).toEqual({
      sub: 'ci',
      access: { kind: 'some', repos: ['other/tool'], owners: ['acme'] },
      scopes: ['search', 'admin'],
      anonymous: false,
    });
  });

  it('tolerates a small clock skew and refuses beyond it', async () => {
    const { token } = await mint({ ttlSeconds: 60 });
    await expect(
      verifyBearer(bearer(token), provider, { now: new Date(NOW.getTime() + 110_000) }),
    ).resolves.toBeTruthy();
    await expect(
      verifyBearer(bearer(token), provider, { now: new Date(NOW.getTime() + 130_000) }),
    ).rejects.toThrow(/expired/);
  });

  it.each([
    ['no header', undefined, /Missing Authorization/],
    ['another scheme', 'Basic dXNlcjpwYXNz', /Malformed Authorization/],
    ['garbage', 'Bearer not-a-jwt', /Malformed Authorization/],
    ['three bad parts', 'Bearer aaa.bbb.ccc', /malformed/],
  ])('answers 401 for %s', async (_name, header, message) => {
    const error = await verifyBearer(header, provider, { now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).statusCode).toBe(401);
    expect(String(error)).toMatch(message);
  });

  it('refuses a token signed with a key it does not hold, even under a known kid', async () => {
    const stranger = parseKeySet(newKeySetText(new Date('2025-01-01T00:00:00Z')), 'stranger');
    const forged = await mint(
      {},
      { active: { kid: keys.active.kid, secret: stranger.active.secret }, byKid: new Map() },
    );
    await expect(verifyBearer(bearer(forged.token), provider, { now: NOW })).rejects.toThrow(
      /signature does not verify/,
    );
    const unknownKid = await mint({}, stranger);
    await expect(verifyBearer(bearer(unknownKid.token), provider, { now: NOW })).rejects.toThrow(
      /unknown or retired key/,
    );
  });

  it('requires exp, and pins issuer and audience', async () => {
    const base = () =>
      new SignJWT({ repos: ['*'], scope: 'search' })
        .setProtectedHeader({ alg: 'HS256', kid: keys.active.kid })
        .setSubject('x')
        .setIssuedAt(Math.floor(NOW.getTime() / 1000));
    const noExp = await base().setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).sign(keys.active.secret);
    await expect(verifyBearer(bearer(noExp), provider, { now: NOW })).rejects.toThrow(
      /"exp" claim is missing/,
    );
    const otherAudience = await base()
      .setIssuer(TOKEN_ISSUER)
      .setAudience('someone-else')
      .setExpirationTime('1h')
      .sign(keys.active.secret);
    await expect(verifyBearer(bearer(otherAudience), provider, { now: NOW })).rejects.toThrow(/"aud" claim/);
  });

  it('enforces the lifetime limit and a past iat at verification, not only when minting', async () => {
    // Given tokens signed with a valid key but never minted by codesearch (a leaked key signs anything)
    const seconds = Math.floor(NOW.getTime() / 1000);
    const signed = (claims: { iat: number; exp: number }) =>
      new SignJWT({ repos: ['*'], scope: 'search', ...claims })
        .setProtectedHeader({ alg: 'HS256', kid: keys.active.kid })
        .setSubject('forger')
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .sign(keys.active.secret);
    const century = await signed({ iat: seconds, exp: seconds + 100 * 365 * 86400 });
    const forever = await signed({ iat: seconds, exp: 1e300 });
    const fromTheFuture = await signed({ iat: seconds + 365 * 86400, exp: seconds + 366 * 86400 });
    const justRight = await signed({ iat: seconds, exp: seconds + 30 * 86400 });

    // Then
    for (const token of [century, forever])
      await expect(verifyBearer(bearer(token), provider, { now: NOW })).rejects.toThrow(
        /lives longer than the 366 days this API accepts/,
      );
    await expect(verifyBearer(bearer(fromTheFuture), provider, { now: NOW })).rejects.toThrow(/"iat" claim/);
    await expect(verifyBearer(bearer(justRight), provider, { now: NOW })).resolves.toMatchObject({
      sub: 'forger',
    });
  });

  it('reads the Authorization scheme case-insensitively, as HTTP defines it', async () => {
    const { token } = await mint();
    for (const header of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`])
      await expect(verifyBearer(header, provider, { now: NOW })).resolves.toMatchObject({ sub: 'ci' });
    await expect(verifyBearer(`Basic ${token}`, provider, { now: NOW })).rejects.toThrow(/Malformed/);
  });

  it('refuses alg=none and tokens with malformed grants', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: keys.active.kid })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        sub: 'x',
        repos: ['*'],
        scope: 'admin',
        exp: 4e9,
        iat: 1,
        iss: TOKEN_ISSUER,
        aud: TOKEN_AUDIENCE,
      }),
    ).toString('base64url');
    await expect(
      verifyBearer(`Bearer ${header}.${payload}.sig`, provider, { now: NOW }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    const badGrant = await new SignJWT({ repos: ["acme/x' OR '1'='1"], scope: 'search' })
      .setProtectedHeader({ alg: 'HS256', kid: keys.active.kid })
      .setSubject('x')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(keys.active.secret);
    await expect(verifyBearer(bearer(badGrant), provider)).rejects.toThrow(/malformed repository grant/);
  });

  it('keeps verifying old tokens after a rotation, and picks up the new key by kid', async () => {
    const secret = memorySecret(text);
    const rotating = cachedKeySet(secret, { minRefreshMs: 0 });
    const old = await mint();
    await verifyBearer(bearer(old.token), rotating, { now: NOW });
    // Rotate in the store: the verifier still holds the old set in its cache.
    secret.text = rotateKeySetText(text, 'test', { now: new Date(NOW.getTime() + 1000) });
    const rotated = parseKeySet(secret.text, 'test');
    expect(rotated.active.kid).not.toBe(keys.active.kid);
    const fresh = await mint({}, rotated);
    await expect(verifyBearer(bearer(fresh.token), rotating, { now: NOW })).resolves.toMatchObject({
      sub: 'ci',
    });
    await expect(verifyBearer(bearer(old.token), rotating, { now: NOW })).resolves.toMatchObject({
      sub: 'ci',
    });
    expect(secret.reads).toBe(2);
  });

  it('refuses to mint tokens that live longer than a year or grant malformed repositories', async () => {
    await expect(mint({ ttlSeconds: 400 * 86400 })).rejects.toThrow(/lifetime/);
    await expect(mint({ repos: ['a/b/c'] })).rejects.toThrow(/not a repository name/);
  });
});

describe('key sets', () => {
  it('rejects malformed key sets with messages that never show a secret', () => {
    const secret = 'x'.repeat(40);
    expect(() => parseKeySet('{', 's')).toThrow(/not valid JSON/);
    expect(() => parseKeySet(JSON.stringify({ active: 'k1', k1: 'short' }), 's')).toThrow(
      /at least 32 characters/,
    );
    expect(() => parseKeySet(JSON.stringify({ active: 'k2', k1: secret }), 's')).toThrow(/"active"/);
    expect(() => parseKeySet(JSON.stringify({ active: 'k1', 'bad kid!': secret }), 's')).toThrow(
      /not a valid key id/,
    );
    try {
      parseKeySet(JSON.stringify({ active: 'nope', k1: secret }), 's');
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
  });

  it('accepts the shape CloudFormation generates', () => {
    const generated = JSON.stringify({
      active: 'k1',
      k1: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOp',
    });
    expect(parseKeySet(generated, 'secret').active.kid).toBe('k1');
  });

  it('rotation keeps the newest previous keys only', () => {
    let text = newKeySetText(new Date('2026-01-01T00:00:00Z'));
    for (let i = 1; i <= 4; i++)
      text = rotateKeySetText(text, 's', { now: new Date(`2026-0${i + 1}-01T00:00:00Z`) });
    const keys = parseKeySet(text, 's');
    expect(keys.active.kid).toBe('k20260501000000');
    expect([...keys.byKid.keys()].sort()).toEqual(['k20260301000000', 'k20260401000000', 'k20260501000000']);
  });
});

describe('cached key set', () => {
  it('reads once per expiry, shares one fetch between concurrent callers, and does not cache failures', async () => {
    let now = 0;
    const source = memorySecret(newKeySetText());
    const cached = cachedKeySet(source, { ttlMs: 1000, minRefreshMs: 500, now: () => now });
    await Promise.all([cached.current(), cached.current(), cached.current()]);
    expect(source.reads).toBe(1);
    now = 999;
    await cached.current();
    expect(source.reads).toBe(1);
    await cached.refresh(); // within minRefreshMs of the last fetch? no: 999 ms later, so it re-reads
    expect(source.reads).toBe(2);
    await cached.refresh(); // immediately again: throttled
    expect(source.reads).toBe(2);
    now = 5000;
    source.text = 'not json';
    await expect(cached.current()).rejects.toThrow(/not valid JSON/);
    source.text = newKeySetText();
    await expect(cached.current()).resolves.toBeTruthy();
    expect(source.reads).toBe(4);
  });
});
