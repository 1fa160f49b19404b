/**
 * GitHub's `X-Hub-Signature-256`: "sha256=" + hex HMAC-SHA256 of the raw request body under the webhook
 * secret. Compared in constant time over the raw bytes — never over re-serialised JSON, which would differ.
 * The secret may hold several values, one per line, so a secret can be rotated without dropping deliveries:
 * add the new value, update the webhook, then remove the old value.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '#engine/errors.ts';

const PREFIX = 'sha256=';
/** Shorter values are guessable, and could not be told from other text when redacted from a message. */
const MIN_SECRET_CHARS = 8;

/** True when `header` is a valid signature of `body` under any of the secrets. */
export function verifyWebhookSignature(
  secrets: string,
  body: Uint8Array,
  header: string | undefined,
): boolean {
  if (!header?.startsWith(PREFIX)) return false;
  const hex = header.slice(PREFIX.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  let valid = false;
  for (const secret of secretValues(secrets)) {
    const expected = createHmac('sha256', secret).update(body).digest();
    // No early exit: every candidate is checked, so timing does not tell which one matched.
    valid = timingSafeEqual(given, expected) || valid;
  }
  return valid;
}

/** The signature GitHub would send (tests, and anyone replaying a payload). */
export function signWebhookBody(secret: string, body: Uint8Array | string): string {
  return `${PREFIX}${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The values of the webhook secret, one per line. A secret with none, with a control character inside a value
 * (a paste gone wrong) or with a value under 8 characters is a configuration error that names the secret,
 * never a value.
 */
function secretValues(secrets: string): string[] {
  const values = secrets
    .split('\n')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  if (values.length === 0)
    throw new ConfigError('the webhook secret is empty: set it as README "Secrets" shows');
  if (values.some((value) => /[\u0000-\u001f\u007f]/.test(value)))
    throw new ConfigError(
      'a value of the webhook secret holds a control character: set it again, one value per line',
    );
  if (values.some((value) => value.length < MIN_SECRET_CHARS))
    throw new ConfigError(
      `a value of the webhook secret is shorter than ${MIN_SECRET_CHARS} characters: use a long random one (README "Secrets")`,
    );
  return values;
}
