/**
 * Trades an app JWT for an installation access token (`POST /app/installations/{id}/access_tokens`), which
 * then serves as the bearer token of every repository request until its `expires_at` (an hour after issue).
 * GitHub's refusals become errors that say which part of the secret to fix; rate limits and 5xx stay
 * transient, as for any other request.
 */
import { PermanentJobError, RetryLaterError } from '#engine/pipeline/errors.ts';
import { redactor } from '#engine/secret-redaction.ts';
import { GitHubUnavailableError } from './github-api.ts';
import type { GitHubAppCredentials } from './github-app-secret.ts';
import { judgeResponse } from './rate-limits.ts';

export interface InstallationToken {
  readonly token: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** GitHub refused the app's credentials or does not know the installation: retrying cannot help. */
export class GitHubAppRefusedError extends PermanentJobError {}

export interface ExchangeOptions {
  readonly baseUrl: string;
  readonly jwt: string;
  readonly app: GitHubAppCredentials;
  readonly secretDescription: string;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly now: () => number;
}

export async function exchangeForInstallationToken(options: ExchangeOptions): Promise<InstallationToken> {
  const { app, secretDescription } = options;
  const path = `/app/installations/${encodeURIComponent(app.installationId)}/access_tokens`;
  let response: Response;
  try {
    response = await options.fetch(`${options.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${options.jwt}`,
        'user-agent': 'codesearch-indexer',
        'x-github-api-version': '2022-11-28',
      },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new GitHubUnavailableError(`${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const body = await response.text();
  const verdict = judgeResponse(
    { status: response.status, headers: response.headers, message: messageOf(body) },
    options.now(),
  );
  switch (verdict.kind) {
    case 'ok':
      break;
    case 'unauthorized':
      throw new GitHubAppRefusedError(
        `GitHub refused the app's signed token (401) for App ID ${app.appId}: the private key in secret ` +
          `${secretDescription} is not one of that app's keys, or "appId" is wrong (or this machine's clock ` +
          'is off by minutes). Generate a new private key in the app settings and put it in the secret.',
      );
    case 'not-found':
      throw new GitHubAppRefusedError(
        `GitHub has no installation ${app.installationId} of App ID ${app.appId} (404): fix "installationId" ` +
          `in secret ${secretDescription} (the number at the end of the installation's settings URL), or ` +
          'install the app on the organisation again.',
      );
    case 'wait':
      throw new RetryLaterError(`${path}: ${verdict.reason}`, verdict.delayMs);
    case 'backoff':
      throw new GitHubUnavailableError(`${path}: ${verdict.reason}`);
    case 'fail':
      throw new GitHubAppRefusedError(
        `GitHub would not issue a token for installation ${app.installationId} of App ID ${app.appId} ` +
          `(${verdict.reason}): check that the app is not suspended and may read Contents and Metadata.`,
      );
  }
  const issued = JSON.parse(body) as { token?: unknown; expires_at?: unknown };
  const expiresAt = typeof issued.expires_at === 'string' ? Date.parse(issued.expires_at) : Number.NaN;
  if (typeof issued.token !== 'string' || Number.isNaN(expiresAt))
    throw new GitHubUnavailableError(`${path}: the answer has no token and expires_at`);
  redactor.remember(issued.token); // a bearer token as good as the key, for an hour
  return { token: issued.token, expiresAt };
}

/** GitHub's `message`, which names the problem and never echoes credentials. */
function messageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
