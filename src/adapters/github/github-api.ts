/**
 * A small GitHub REST client: JSON GETs with the token from a token provider, retries with backoff and jitter,
 * and GitHub's rate-limit rules (see rate-limits.ts). It counts its requests so that tests and measurements can
 * show how many a push costs. `fetch` is injectable; `baseUrl` points tests at a local emulator (and a GitHub
 * Enterprise deployment at its API).
 */
import { CodeSearchError } from '#engine/errors.ts';
import { PermanentJobError, RetryLaterError } from '#engine/pipeline/errors.ts';
import type { GitHubTokenProvider } from './github-token-provider.ts';
import { backoffDelay, DEFAULT_RETRY_POLICY, judgeResponse, type RetryPolicy } from './rate-limits.ts';

export interface GitHubApiOptions {
  /** @default "https://api.github.com" */
  readonly baseUrl?: string;
  /**
   * Where each request's token comes from: a cached secret holding a fine-grained PAT, or
   * `githubTokenProvider`, which also turns GitHub App credentials into installation tokens.
   */
  readonly token: GitHubTokenProvider;
  readonly retry?: Partial<RetryPolicy>;
  /** Per-request timeout. @default 20_000 */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface GitHubApiStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Time slept waiting for rate limits and backoff. */
  waitedMs: number;
}

/** GitHub could not answer after every retry (5xx, network): transient, the queue will retry the job. */
export class GitHubUnavailableError extends CodeSearchError {}

const API_VERSION = '2022-11-28';

export class GitHubApi {
  readonly stats: GitHubApiStats = { requests: 0, retries: 0, waitedMs: 0 };
  readonly #baseUrl: string;
  readonly #token: GitHubApiOptions['token'];
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: GitHubApiOptions) {
    this.#baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.#token = options.token;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#fetch = options.fetch ?? fetch;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /**
   * GETs `path` (beginning with "/") and parses the JSON body; undefined for a 404 when `notFound` is "undefined".
   *
   * @example
   * const blob = await api.getJson<{ content: string }>(`/repos/acme/api/git/blobs/${sha}`);
   */
  async getJson<T>(path: string, options: { notFound?: 'throw' | 'undefined' } = {}): Promise<T | undefined> {
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      const response = await this.#send(path, attempt);
      if (response instanceof Error) {
        await this.#backoffOrThrow(attempt, `${path}: ${response.message}`, response);
        continue;
      }
      const body = await response.text();
      const verdict = judgeResponse(
        { status: response.status, headers: response.headers, message: errorMessage(body) },
        this.#now(),
      );
      switch (verdict.kind) {
        case 'ok':
          return JSON.parse(body) as T;
        case 'not-found':
          if (options.notFound === 'undefined') return undefined;
          throw new PermanentJobError(`GitHub has no ${path} (404): repository, commit or token access gone`);
        case 'unauthorized':
          // A rotated token: re-read it once, then give up (a wrong token will not heal by retrying).
          if (refreshedToken) throw new PermanentJobError(`GitHub refused the token (401) for ${path}`);
          refreshedToken = true;
          this.#token.invalidate();
          continue;
        case 'wait':
          if (verdict.delayMs > this.#policy.maxInlineWaitMs || attempt >= this.#policy.maxAttempts)
            throw new RetryLaterError(`${path}: ${verdict.reason}`, verdict.delayMs);
          await this.#wait(verdict.delayMs);
          continue;
        case 'backoff':
          await this.#backoffOrThrow(attempt, `${path}: ${verdict.reason}`);
          continue;
        case 'fail':
          throw new PermanentJobError(`${path}: ${verdict.reason}`);
      }
    }
  }

  async #send(path: string, attempt: number): Promise<Response | Error> {
    const token = await this.#token.read(); // a secret-store failure is its own error, not a GitHub retry
    this.stats.requests++;
    if (attempt > 1) this.stats.retries++;
    try {
      return await this.#fetch(`${this.#baseUrl}${path}`, {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'user-agent': 'codesearch-indexer',
          'x-github-api-version': API_VERSION,
        },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async #backoffOrThrow(attempt: number, reason: string, cause?: unknown): Promise<void> {
    if (attempt >= this.#policy.maxAttempts)
      throw new GitHubUnavailableError(`${reason} (after ${attempt} attempts)`, { cause });
    await this.#wait(backoffDelay(this.#policy, attempt, this.#random));
  }

  async #wait(ms: number): Promise<void> {
    this.stats.waitedMs += ms;
    await this.#sleep(ms);
  }
}

function errorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
