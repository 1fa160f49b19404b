import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { secretsManagerSecret } from '#adapters/aws/secrets-manager-secret.ts';
import { defaultKeyFilePath, ensureKeyFile, KeyFileSecretSource } from '#adapters/local/key-file.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { newKeySetText } from '#api/auth/key-set.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

describe('local key file', () => {
  const tempDir = useTempDirs();

  it('defaults to the user config directory, never the working directory', () => {
    expect(defaultKeyFilePath({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' })).toBe(
      '/cfg/codesearch/keys.json',
    );
    expect(defaultKeyFilePath({ CODESEARCH_KEY_FILE: '/k/keys.json' })).toBe('/k/keys.json');
  });

  it('is created once with owner-only permissions and read back', async () => {
    const dir = await tempDir();
    const path = join(dir, 'config', 'codesearch', 'keys.json');
    expect(await ensureKeyFile(path, () => newKeySetText(), dir)).toBe(true);
    expect(await ensureKeyFile(path, () => 'never used', dir)).toBe(false);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'config', 'codesearch'))).mode & 0o777).toBe(0o700);
    const keys = await cachedKeySet(new KeyFileSecretSource(path)).current();
    expect(keys.active.secret.byteLength).toBeGreaterThanOrEqual(32);
  });

  it('is refused inside a git checkout', async () => {
    const checkout = await tempDir();
    await mkdir(join(checkout, '.git'));
    await expect(
      ensureKeyFile(join(checkout, 'keys.json'), () => newKeySetText(), join(checkout, 'src')),
    ).rejects.toThrow(/inside the git checkout/);
  });

  it('makes a key file that others may read owner-only before using it, and says so', async () => {
    // Given a key file left readable by everyone
    const path = join(await tempDir(), 'keys.json');
    await writeFile(path, newKeySetText(), { mode: 0o644 });
    await chmod(path, 0o644);
    const warnings: string[] = [];

    // When it is read
    await cachedKeySet(new KeyFileSecretSource(path, (line) => warnings.push(line))).current();

    // Then it is 0600 now, with a warning that advises rotation
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([expect.stringMatching(/had mode 0644.*now 0600.*rotate-key/s)]);
  });

  it('explains a missing file without a stack', async () => {
    const source = new KeyFileSecretSource(join(await tempDir(), 'absent.json'));
    await expect(source.read()).rejects.toThrow(/Cannot read the key file .*ENOENT/);
  });

  it('reports a file with no usable keys by path, without its contents', async () => {
    const path = join(await tempDir(), 'keys.json');
    await writeFile(path, JSON.stringify({ active: 'k1', k1: 'too-short-secret' }));
    await expect(cachedKeySet(new KeyFileSecretSource(path)).current()).rejects.toThrow(
      /keys\.json must be a string/,
    );
  });
});

describe('signing keys from Secrets Manager (real AWS SDK client, local endpoint)', () => {
  it('reads SecretString with GetSecretValue, once per cache period', async () => {
    // A minimal endpoint speaking Secrets Manager's JSON protocol, so the real client does the real calls.
    const secret = newKeySetText();
    const calls: { target: string | undefined; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (part) => {
        body += part;
      });
      req.on('end', () => {
        calls.push({ target: req.headers['x-amz-target'] as string | undefined, body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:keys',
            Name: 'keys',
            SecretString: secret,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new SecretsManagerClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const keys = cachedKeySet(secretsManagerSecret(client, 'codesearch/keys'), { ttlMs: 60_000 });
      const [a, b] = await Promise.all([keys.current(), keys.current()]);
      expect(a).toBe(b);
      expect(a.byKid.size).toBe(1);
      expect(calls).toEqual([
        { target: 'secretsmanager.GetSecretValue', body: { SecretId: 'codesearch/keys' } },
      ]);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
