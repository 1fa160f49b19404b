/**
 * The bearer token of every GitHub request, from the GitHub token secret: the secret's value itself when it
 * is a token, or, when it holds a GitHub App's credentials (github-app-secret.ts), an installation token that
 * is obtained with a signed app JWT and reused until a few minutes before it expires. `GitHubApi` asks for the
 * token before each request, so the common path is one comparison with the cached secret's value.
 */
import type { CachedSecret } from '#engine/pipeline/cached-secret.ts';
import { PermanentJobError } from '#engine/pipeline/errors.ts';
import { appSigningKey, signAppJwt } from './app-jwt.ts';
import { type GitHubAppCredentials, parseGitHubCredentials } from './github-app-secret.ts';
import { exchangeForInstallationToken, type InstallationToken } from './installation-token.ts';

export interface GitHubTokenProvider {
  /** The token for the next request. */
  read(): Promise<string>;
  /** GitHub refused the token (401): forget it, and re-read the secret it came from. */
  invalidate(): void;
}

export interface GitHubTokenProviderOptions {
  /** @default "https://api.github.com" */
  readonly baseUrl?: string;
  /**
   * An installation token is replaced this long before its `expires_at`, so that no request of a running job
   * meets an expired one. @default 5 minutes
   */
  readonly refreshBeforeMs?: number;
  /** Timeout of the token exchange. @default 20_000 */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

interface HeldInstallationToken {
  /** The secret value the token was obtained with: a rotated secret must not keep using it. */
  readonly secretValue: string;
  readonly token: Promise<InstallationToken>;
  expiresAt?: number;
}

/**
 * @example
 * const token = githubTokenProvider(cachedSecret(githubTokenSecret(client, secretId)), { baseUrl });
 * const github = new GitHubApi({ token, baseUrl });
 */
export function githubTokenProvider(
  secret: Pick<CachedSecret, 'read' | 'invalidate' | 'description'>,
  options: GitHubTokenProviderOptions = {},
): GitHubTokenProvider {
  const baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let held: HeldInstallationToken | undefined;

  const isFresh = (entry: HeldInstallationToken): boolean =>
    entry.expiresAt === undefined || now() < entry.expiresAt - refreshBeforeMs; // undefined: being issued

  const obtain = async (app: GitHubAppCredentials): Promise<InstallationToken> => {
    const jwt = await signAppJwt(app.appId, appSigningKey(app, secret.description), now());
    return exchangeForInstallationToken({
      baseUrl,
      jwt,
      app,
      secretDescription: secret.description,
      fetch: options.fetch ?? fetch,
      timeoutMs: options.timeoutMs ?? 20_000,
      now,
    });
  };

  const installationToken = async (secretValue: string, app: GitHubAppCredentials): Promise<string> => {
    const entry: HeldInstallationToken = { secretValue, token: obtain(app) };
    held = entry; // concurrent requests share this one exchange
    try {
      const issued = await entry.token;
      entry.expiresAt = issued.expiresAt;
      return issued.token;
    } catch (error) {
      if (held === entry) held = undefined; // a failed exchange is not cached
      throw error;
    }
  };

  return {
    async read() {
      const value = await secret.read();
      const current = held;
      if (current?.secretValue === value && isFresh(current)) return (await current.token).token;
      try {
        const credentials = parseGitHubCredentials(value, secret.description);
        if (credentials.kind === 'token') return credentials.token;
        return await installationToken(value, credentials.app);
      } catch (error) {
        // The secret itself needs fixing: read it afresh next time, so a corrected one is used at once.
        if (error instanceof PermanentJobError) secret.invalidate();
        throw error;
      }
    },
    invalidate() {
      held = undefined;
      secret.invalidate();
    },
  };
}
