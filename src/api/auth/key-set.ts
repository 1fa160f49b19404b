/**
 * The signing keys for API tokens, as stored in the secret: a flat JSON object of key id → secret, plus which
 * id signs new tokens.
 *
 *   { "active": "k2", "k2": "<64 random characters>", "k1": "<the previous key>" }
 *
 * Flat on purpose: CloudFormation can generate the first version itself (`generateSecretString` with
 * `secretStringTemplate: '{"active":"k1"}'` and `generateStringKey: 'k1'`). Rotation adds a key and makes it
 * active; older keys keep verifying the tokens they signed until those expire, then are removed.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '#engine/errors.ts';

export interface SigningKey {
  readonly kid: string;
  readonly secret: Uint8Array;
}

export interface KeySet {
  readonly active: SigningKey;
  readonly byKid: ReadonlyMap<string, SigningKey>;
}

const KID = /^[A-Za-z0-9_.-]{1,64}$/;
/** HS256 needs at least 256 bits of key; 32 characters of a generated secret carry more than that. */
const MIN_SECRET_CHARS = 32;
const MAX_KEYS = 20;

/** Parses the secret's text. Messages name the source and the key id, never a secret. */
export function parseKeySet(text: string, source: string): KeySet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`The signing keys in ${source} are not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`The signing keys in ${source} must be a JSON object`);
  }
  const { active, ...keys } = json as Record<string, unknown>;
  const byKid = new Map<string, SigningKey>();
  for (const [kid, secret] of Object.entries(keys)) {
    if (!KID.test(kid))
      throw new ConfigError(`Key id "${kid.slice(0, 64)}" in ${source} is not a valid key id`);
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_CHARS) {
      throw new ConfigError(
        `Key "${kid}" in ${source} must be a string of at least ${MIN_SECRET_CHARS} characters`,
      );
    }
    byKid.set(kid, { kid, secret: new TextEncoder().encode(secret) });
  }
  if (byKid.size === 0 || byKid.size > MAX_KEYS) {
    throw new ConfigError(`${source} must hold between 1 and ${MAX_KEYS} signing keys`);
  }
  const activeKey = typeof active === 'string' ? byKid.get(active) : undefined;
  if (!activeKey) throw new ConfigError(`"active" in ${source} must name one of its keys`);
  return { active: activeKey, byKid };
}

/** A fresh key set with one key, as JSON text. */
export function newKeySetText(now = new Date()): string {
  const kid = keyIdFor(now);
  return `${JSON.stringify({ active: kid, [kid]: newSecret() }, null, 2)}\n`;
}

/**
 * Adds a new active key to a key set's text; the newest `keep` previous keys stay so their tokens still verify.
 */
export function rotateKeySetText(
  text: string,
  source: string,
  options: { keep?: number; now?: Date } = {},
): string {
  const current = parseKeySet(text, source);
  const { active: _active, ...keys } = JSON.parse(text) as Record<string, string>;
  let kid = keyIdFor(options.now ?? new Date());
  for (let n = 2; current.byKid.has(kid); n++) kid = `${keyIdFor(options.now ?? new Date())}-${n}`;
  const previous = Object.entries(keys)
    .sort(([a], [b]) => (a === current.active.kid ? -1 : b === current.active.kid ? 1 : b.localeCompare(a)))
    .slice(0, options.keep ?? 2);
  return `${JSON.stringify({ active: kid, [kid]: newSecret(), ...Object.fromEntries(previous) }, null, 2)}\n`;
}

function newSecret(): string {
  return randomBytes(48).toString('base64url'); // 64 characters, 384 bits
}

function keyIdFor(date: Date): string {
  return `k${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
}
