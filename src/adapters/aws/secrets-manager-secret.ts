/**
 * A SecretSource over AWS Secrets Manager. The environment names the secret (ARN or name); the value is only
 * ever read at run time. A JSON secret can name the field to use (`field`), so one secret may hold several
 * values. Wrap it in `cachedSecret` so warm containers do not call Secrets Manager per request.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '#engine/errors.ts';
import { redactor } from '#engine/secret-redaction.ts';
import type { SecretSource } from '#engine/secrets.ts';

export function secretsManagerSecret(
  client: Pick<SecretsManagerClient, 'send'>,
  secretId: string,
  options: { field?: string } = {},
): SecretSource {
  return {
    description: options.field ? `${secretId} (field ${options.field})` : secretId,
    async read() {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!SecretString) throw new ConfigError(`secret ${secretId} has no string value`);
      redactor.remember(SecretString); // before anything can quote it
      if (!options.field) return SecretString.trim();
      let document: Record<string, unknown>;
      try {
        document = JSON.parse(SecretString) as Record<string, unknown>;
      } catch {
        // JSON.parse's message quotes the text near the error: part of the secret, so it is dropped.
        throw new ConfigError(`secret ${secretId} is not JSON, so it has no field "${options.field}"`);
      }
      const value = document?.[options.field];
      if (typeof value !== 'string' || value.length === 0)
        throw new ConfigError(`secret ${secretId} has no string field "${options.field}"`);
      return value;
    },
  };
}
