import { join } from 'node:path';
import { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { type Authenticator, bearerTokenAuthenticator, OPEN_ACCESS } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { jsonLinesLogger } from '#api/middleware/request-log.ts';
import { createSearchApi } from '#api/search-api.ts';
import { ConfigError } from '#engine/errors.ts';
import { openLocalServices } from '../runtime/local-services.ts';
import { localReindexer } from '../server/local-reindexer.ts';
import { localRepoAdmin } from '../server/local-repo-admin.ts';
import { startLocalServer } from '../server/local-server.ts';
import { keySource } from './key-options.ts';

export interface ServeCommandOptions {
  readonly home?: string;
  readonly model?: string;
  readonly port: number;
  readonly host: string;
  /** Require bearer tokens signed with the local key (or `secretId`'s). */
  readonly auth?: boolean;
  readonly keyFile?: string;
  readonly secretId?: string;
}

/** Serves until SIGINT/SIGTERM, then closes the server and the stores. */
export async function runServeCommand(options: ServeCommandOptions): Promise<void> {
  if (!options.auth && !isLoopback(options.host)) {
    throw new ConfigError(
      `Refusing to serve ${options.host} without --auth: only loopback addresses (127.0.0.1, ::1, localhost) may be open`,
    );
  }
  const auth = options.auth ? await tokenAuth(options) : OPEN_ACCESS;
  const services = await openLocalServices({ home: options.home, modelDir: options.model });
  const catalog = await SqliteRepoCatalog.open(join(services.home, 'state.sqlite'));
  const logger = jsonLinesLogger((line) => process.stderr.write(line));
  const reindexer = localReindexer(services.store, catalog, {
    home: services.home,
    modelDir: services.modelDir,
    onError: (repo, error) => logger.error('reindex failed', { repo, error }),
  });
  const admin = localRepoAdmin({ home: services.home, modelDir: services.modelDir });
  const server = await startLocalServer(
    createSearchApi({ ...services, auth, catalog, reindexer, admin, logger }),
    {
      port: options.port,
      host: options.host,
      onRefused: (refusal) => logger.error('request refused: not addressed to this server', { ...refusal }),
    },
  );
  const indexed = (await catalog.listRepos())[0]?.repo;
  process.stdout.write(
    `${serveBanner(server.url, auth.enforced ? { ...keyOptionOf(options), exampleRepo: indexed } : undefined)}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  reindexer.stop();
  await reindexer.idle();
  catalog.close();
  await services.close();
}

async function tokenAuth(options: ServeCommandOptions): Promise<Authenticator> {
  const { source } = await keySource(options, (line) => process.stderr.write(`${line}\n`));
  // Re-read every 10 s locally, so `codesearch token rotate-key` takes effect without a restart.
  const keys = cachedKeySet(source, { ttlMs: 10_000, minRefreshMs: 2_000 });
  await keys.current(); // a broken key file fails now, not on the first request
  return bearerTokenAuthenticator(keys);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** How `token create` must be told where the server's keys are, to mint a token this server accepts. */
function keyOptionOf(options: ServeCommandOptions): { keyFile?: string; secretId?: string } {
  if (options.secretId) return { secretId: options.secretId };
  return options.keyFile ? { keyFile: options.keyFile } : {};
}

export interface BannerAuth {
  readonly keyFile?: string;
  readonly secretId?: string;
  /** A repository the example token is for: one, not all, so that the example is safe to copy. */
  readonly exampleRepo?: string;
}

/** What `serve` prints: where it listens, and a `curl` that works as printed (with a narrow token under auth). */
export function serveBanner(url: string, auth?: BannerAuth): string {
  const keys = auth?.secretId
    ? ` --secret-id ${shellWord(auth.secretId)}`
    : auth?.keyFile
      ? ` --key-file ${shellWord(auth.keyFile)}`
      : '';
  const token = auth
    ? ` -H "authorization: Bearer $(npx codesearch token create --sub me --repos ${shellWord(auth.exampleRepo ?? 'OWNER/NAME')} --ttl 1d${keys})"`
    : '';
  return [
    `codesearch API listening on ${url}${auth ? ' (bearer tokens required)' : ''}`,
    `Search page: ${url}/`,
    `MCP endpoint for coding agents: ${url}/mcp`,
    'Try:',
    `  curl -s ${url}/search${token} -H 'content-type: application/json' -d '{"query":"where are search filters escaped?","limit":5}'`,
    `  curl -s ${url}/health`,
  ].join('\n');
}

/** A value as one word of a POSIX shell command line (single-quoted unless plainly safe). */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./@:=-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
