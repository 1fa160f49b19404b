/**
 * Where the CLI finds the signing keys: the local key file (default, created on first use) or, with
 * `--secret-id`, the deployed key set in AWS Secrets Manager (read with the usual AWS credential chain).
 */
import { defaultKeyFilePath, ensureKeyFile, KeyFileSecretSource } from '#adapters/local/key-file.ts';
import { newKeySetText } from '#api/auth/key-set.ts';
import type { SecretSource } from '#engine/secrets.ts';

export interface KeyOptions {
  readonly keyFile?: string;
  readonly secretId?: string;
}

export async function keySource(
  options: KeyOptions,
  notice: (line: string) => void,
): Promise<{ source: SecretSource; keyFile?: string }> {
  if (options.secretId) {
    // Loaded only here: the SDK is large and only this path needs it.
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const { secretsManagerSecret } = await import('#adapters/aws/secrets-manager-secret.ts');
    return { source: secretsManagerSecret(new SecretsManagerClient({}), options.secretId) };
  }
  const keyFile = options.keyFile ?? defaultKeyFilePath();
  if (await ensureKeyFile(keyFile, () => newKeySetText()))
    notice(`Created a new signing key in ${keyFile} (mode 0600)`);
  return { source: new KeyFileSecretSource(keyFile, notice), keyFile };
}
