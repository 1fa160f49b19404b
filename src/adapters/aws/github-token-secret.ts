/**
 * The GitHub token from Secrets Manager. The stack cannot put a token into CloudFormation, so it creates the
 * secret with a generated placeholder — JSON with a `placeholder` field — that the operator replaces with the
 * token itself (README, "Secrets"). Until then every job would only earn a 401 from GitHub; instead the read
 * fails at once with a permanent error that says what to do, which the worker puts in the dead-letter
 * queue's reason and on the index's state (`GET /repos`). After the token is set, redriving the dead-letter
 * queue indexes what was missed.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PermanentJobError } from '#engine/pipeline/errors.ts';
import type { SecretSource } from '#engine/secrets.ts';
import { secretsManagerSecret } from './secrets-manager-secret.ts';

/** The GitHub token secret has not been given a token yet. */
export class GitHubTokenNotConfiguredError extends PermanentJobError {}

export function githubTokenSecret(
  client: Pick<SecretsManagerClient, 'send'>,
  secretId: string,
): SecretSource {
  const source = secretsManagerSecret(client, secretId);
  return {
    description: source.description,
    async read() {
      const value = await source.read();
      if (value.length === 0 || isPlaceholder(value))
        throw new GitHubTokenNotConfiguredError(
          `the GitHub token is not configured: secret ${secretId} still holds the placeholder the stack ` +
            'created. Put a token or GitHub App credentials in it (README, "Secrets"), then redrive the dead-letter queue.',
        );
      return value;
    },
  };
}

/** JSON with a `placeholder` field: what the stack generated. A token is never JSON. */
function isPlaceholder(value: string): boolean {
  if (!value.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null && 'placeholder' in parsed;
  } catch {
    return false;
  }
}
