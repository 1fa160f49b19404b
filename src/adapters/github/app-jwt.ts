/**
 * The JSON Web Token a GitHub App authenticates with before it may ask for an installation token: RS256,
 * signed with the app's private key, `iss` the App ID. `iat` is back-dated 60 s because GitHub rejects a token
 * issued "in the future" by a clock a little ahead of its own; `exp` stays within GitHub's 10-minute limit.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { redactor } from '#engine/secret-redaction.ts';
import { type GitHubAppCredentials, GitHubAppSecretInvalidError } from './github-app-secret.ts';

const BACKDATE_SECONDS = 60;
/** Lifetime counted from the back-dated `iat`: 9 minutes ahead of now, under GitHub's 10. */
const LIFETIME_SECONDS = 10 * 60;

/**
 * Reads the app's PEM key. `crypto` accepts PKCS#1 (GitHub's download) and PKCS#8 alike, which jose's
 * `importPKCS8` would not.
 */
export function appSigningKey(app: GitHubAppCredentials, secretDescription: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(app.privateKey);
  } catch {
    // No `cause`: OpenSSL's reason says nothing an operator can act on, and nothing of the key may travel.
    throw new GitHubAppSecretInvalidError(
      `the GitHub App private key in secret ${secretDescription} cannot be read: put the whole .pem file ` +
        'GitHub generated for the app in "privateKey" (in JSON, line breaks written as \\n).',
    );
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new GitHubAppSecretInvalidError(
      `the GitHub App private key in secret ${secretDescription} is not an RSA key: GitHub Apps sign with RSA ` +
        'keys; generate one in the app settings ("Private keys").',
    );
  return key;
}

/**
 * @example
 * const jwt = await signAppJwt('123', appSigningKey(app, secretId), Date.now());
 */
export async function signAppJwt(appId: string, key: KeyObject, nowMs: number): Promise<string> {
  const issuedAt = Math.floor(nowMs / 1000) - BACKDATE_SECONDS;
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(appId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LIFETIME_SECONDS)
    .sign(key);
  redactor.remember(jwt);
  return jwt;
}
