/**
 * API tokens: HS256 JWTs signed with the active key of the key set, verified against any key in it by `kid`
 * (so rotation never invalidates live tokens). `exp` is required, `iss`/`aud` pin tokens to this API, and a
 * small clock skew is tolerated.
 *
 * Claims: `sub` (who), `repos` (grants: `owner/name`, `owner/*`, `*`), `scope` (space-separated, as in OAuth:
 * `search`, `admin`).
 */
import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { InvalidRequestError } from '#engine/errors.ts';
import { parseRepoGrants } from '#engine/search/repo-access.ts';
import { UnauthorizedError } from '../errors.ts';
import type { KeySetProvider } from './cached-key-set.ts';
import type { Caller, Scope } from './caller.ts';
import { SCOPES } from './caller.ts';
import type { KeySet } from './key-set.ts';

export const TOKEN_ISSUER = 'codesearch';
export const TOKEN_AUDIENCE = 'codesearch-api';
/** Seconds of clock difference between the minting machine and the API that are forgiven. */
export const CLOCK_TOLERANCE_SECONDS = 60;
/** Longer tokens are refused at minting: a leaked token should not be useful for years. */
export const MAX_TOKEN_TTL_SECONDS = 366 * 24 * 3600;
const MAX_TOKEN_CHARS = 8192;

export interface TokenRequest {
  readonly sub: string;
  readonly repos: readonly string[];
  readonly scopes: readonly Scope[];
  readonly ttlSeconds: number;
  readonly now?: Date;
}

export interface MintedToken {
  readonly token: string;
  readonly kid: string;
  readonly expiresAt: string;
}

/**
 * Signs a token with the key set's active key. Grants are validated first, so a token never carries a grant
 * the API would refuse.
 *
 * @example
 * const { token } = await mintToken(keys, { sub: 'ci', repos: ['acme/*'], scopes: ['search'], ttlSeconds: 86400 });
 */
export async function mintToken(keys: KeySet, request: TokenRequest): Promise<MintedToken> {
  parseRepoGrants(request.repos);
  if (
    !Number.isInteger(request.ttlSeconds) ||
    request.ttlSeconds <= 0 ||
    request.ttlSeconds > MAX_TOKEN_TTL_SECONDS
  )
    throw new InvalidRequestError(
      `token lifetime must be between 1 second and ${MAX_TOKEN_TTL_SECONDS / 86400} days`,
    );
  const issuedAt = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const expiresAt = issuedAt + request.ttlSeconds;
  const token = await new SignJWT({
    // As the API reads them: in the canonical (lower-case) spelling of repository names.
    repos: request.repos.map((grant) => grant.toLowerCase()),
    scope: [...new Set(request.scopes)].join(' '),
  })
    .setProtectedHeader({ alg: 'HS256', kid: keys.active.kid, typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(keys.active.secret);
  return { token, kid: keys.active.kid, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

const Claims = z.object({
  sub: z.string().min(1).max(200),
  repos: z.array(z.string().max(201)).max(200),
  scope: z.string().max(200),
});

/**
 * Turns an `Authorization` header into a caller, or throws `UnauthorizedError` (401) saying why.
 */
export async function verifyBearer(
  authorization: string | undefined,
  keys: KeySetProvider,
  options: { now?: Date } = {},
): Promise<Caller> {
  const token = bearerToken(authorization);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (header) => {
        if (!header.kid) throw new UnauthorizedError('The token has no key id (kid)');
        const key =
          (await keys.current()).byKid.get(header.kid) ?? (await keys.refresh()).byKid.get(header.kid);
        if (!key) throw new UnauthorizedError('The token was signed with an unknown or retired key');
        return key.secret;
      },
      {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'sub', 'iat'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: options.now,
        // Also refuses an `iat` in the future (beyond the tolerance).
        maxTokenAge: MAX_TOKEN_TTL_SECONDS,
      },
    ));
  } catch (error) {
    throw toUnauthorized(error);
  }
  const { iat, exp } = payload as { iat: number; exp: number };
  if (!(exp - iat <= MAX_TOKEN_TTL_SECONDS))
    throw new UnauthorizedError(
      `The token lives longer than the ${MAX_TOKEN_TTL_SECONDS / 86400} days this API accepts`,
    );
  const claims = Claims.safeParse(payload);
  if (!claims.success)
    throw new UnauthorizedError('The token does not carry valid sub, repos and scope claims');
  const scopes = claims.data.scope
    .split(' ')
    .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  let access: Caller['access'];
  try {
    access = parseRepoGrants(claims.data.repos);
  } catch {
    throw new UnauthorizedError('The token carries a malformed repository grant');
  }
  return { sub: claims.data.sub, access, scopes, anonymous: false };
}

function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw new UnauthorizedError('Missing Authorization header (expected: Bearer <token>)');
  // The scheme is case-insensitive (RFC 9110 §11.1); the token is one JWS in compact form.
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(authorization.trim());
  if (!match?.[1] || match[1].length > MAX_TOKEN_CHARS) {
    throw new UnauthorizedError('Malformed Authorization header (expected: Bearer <token>)');
  }
  return match[1];
}

function toUnauthorized(error: unknown): Error {
  if (error instanceof UnauthorizedError) return error;
  if (error instanceof joseErrors.JWTExpired) return new UnauthorizedError('The token has expired');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return new UnauthorizedError('The token signature does not verify');
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return new UnauthorizedError(
      `The token's "${error.claim}" claim is ${error.reason === 'missing' ? 'missing' : 'not valid here'}`,
    );
  if (error instanceof joseErrors.JOSEError)
    return new UnauthorizedError('The token is malformed or uses an unsupported algorithm');
  return error instanceof Error ? error : new Error(String(error)); // e.g. the key store is down: a real 5xx
}
