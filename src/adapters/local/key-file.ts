/**
 * The signing-key file for local use (`codesearch serve --auth`, `codesearch token create`). It is kept
 * outside any repository — by default under the user's config directory — with owner-only permissions, and
 * refused inside the current git checkout, where it could be committed by accident.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from '#engine/errors.ts';
import { redactor } from '#engine/secret-redaction.ts';
import type { SecretSource } from '#engine/secrets.ts';

export function defaultKeyFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CODESEARCH_KEY_FILE) return resolve(env.CODESEARCH_KEY_FILE);
  const config = env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(homedir(), '.config');
  return join(config, 'codesearch', 'keys.json');
}

export class KeyFileSecretSource implements SecretSource {
  readonly description: string;
  readonly #path: string;
  readonly #warn: (line: string) => void;

  /** @param warn receives the warning when the file's permissions had to be tightened */
  constructor(path: string, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.#path = path;
    this.#warn = warn;
    this.description = `key file ${path}`;
  }

  /**
   * Reads the keys. A file that others may read or write (mode 0644, say) is first made owner-only, with a
   * warning: the keys in it may already have been read, so rotating them is advised.
   */
  async read(): Promise<string> {
    try {
      const mode = (await stat(this.#path)).mode & 0o777;
      if ((mode & 0o077) !== 0 && process.platform !== 'win32') {
        await chmod(this.#path, 0o600);
        this.#warn(
          `Warning: the ${this.description} had mode 0${mode.toString(8)}, readable or writable by others; it is ` +
            'now 0600. If others could read it, rotate the keys: codesearch token rotate-key',
        );
      }
      const text = await readFile(this.#path, 'utf8');
      redactor.remember(text);
      return text;
    } catch (error) {
      throw new ConfigError(
        `Cannot read the ${this.description}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        {
          cause: error,
        },
      );
    }
  }
}

/**
 * Makes sure the key file exists (creating it with `create()`'s text, mode 0600, in a 0700 directory) and lies
 * outside the checkout around `cwd`. Answers whether it was created.
 */
export async function ensureKeyFile(
  path: string,
  create: () => string,
  cwd = process.cwd(),
): Promise<boolean> {
  assertOutsideCheckout(path, cwd);
  if (existsSync(path)) return false;
  await writeKeyFile(path, create());
  return true;
}

/** Replaces the file's contents atomically (a crash never leaves half a key file). */
export async function writeKeyFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'w' });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

export function assertOutsideCheckout(path: string, cwd: string): void {
  const checkout = enclosingCheckout(resolve(cwd));
  if (!checkout) return;
  const rel = relative(checkout, resolve(path));
  if (!rel.startsWith('..') && !isAbsolute(rel)) {
    throw new ConfigError(
      `Refusing to keep signing keys at ${path}: it is inside the git checkout ${checkout}, where it could be committed. ` +
        'Use --key-file or CODESEARCH_KEY_FILE to point outside it (default: ~/.config/codesearch/keys.json).',
    );
  }
}

function enclosingCheckout(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return undefined;
  }
}
