/**
 * `codesearch token create` mints an API token with the local key (or the deployed one, `--secret-id`);
 * `codesearch token rotate-key` adds a new local signing key, keeping the previous ones so live tokens still
 * verify until they expire.
 */
import { readFile } from 'node:fs/promises';
import { writeKeyFile } from '#adapters/local/key-file.ts';
import type { Scope } from '#api/auth/caller.ts';
import { parseKeySet, rotateKeySetText } from '#api/auth/key-set.ts';
import { type MintedToken, mintToken } from '#api/auth/tokens.ts';
import { InvalidRequestError } from '#engine/errors.ts';
import { parseRepoGrants } from '#engine/search/repo-access.ts';
import { type KeyOptions, keySource } from './key-options.ts';

export interface TokenCreateOptions extends KeyOptions {
  readonly sub: string;
  readonly repos: string[];
  readonly ttl: number;
  readonly scope: string[];
  readonly json?: boolean;
}

export async function runTokenCreate(options: TokenCreateOptions): Promise<MintedToken> {
  const repos = options.repos
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  if (repos.length === 0)
    throw new InvalidRequestError('--repos: give at least one grant (owner/name, owner/* or *)');
  parseRepoGrants(repos, '--repos');
  if (!/^[A-Za-z0-9_.@:+-]{1,200}$/.test(options.sub))
    throw new InvalidRequestError('--sub: 1-200 letters, digits and _ . @ : + -');
  const scopes = new Set<Scope>(['search']);
  for (const scope of options.scope) {
    if (scope !== 'search' && scope !== 'admin') throw new InvalidRequestError('--scope: search or admin');
    scopes.add(scope);
  }
  const { source } = await keySource(options, (line) => process.stderr.write(`${line}\n`));
  const keys = parseKeySet(await source.read(), source.description);
  const minted = await mintToken(keys, {
    sub: options.sub,
    repos,
    scopes: [...scopes],
    ttlSeconds: options.ttl,
  });
  process.stdout.write(options.json ? `${JSON.stringify(minted, null, 2)}\n` : `${minted.token}\n`);
  if (!options.json) process.stderr.write(`Expires ${minted.expiresAt} (key ${minted.kid})\n`);
  return minted;
}

export async function runTokenRotateKey(options: { keyFile?: string }): Promise<void> {
  const { keyFile } = await keySource(options, (line) => process.stderr.write(`${line}\n`));
  if (!keyFile) throw new InvalidRequestError('rotate-key works on a local key file');
  const rotated = rotateKeySetText(await readFile(keyFile, 'utf8'), keyFile);
  await writeKeyFile(keyFile, rotated);
  const keys = parseKeySet(rotated, keyFile);
  process.stdout.write(
    `New signing key ${keys.active.kid} in ${keyFile}; ${keys.byKid.size - 1} previous kept\n`,
  );
}
