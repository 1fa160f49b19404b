import { join } from 'node:path';
import { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { type Authenticator, bearerTokenAuthenticator, OPEN_ACCESS } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { jsonLinesLogger } from '#api/middleware/request-log.ts';
import { createSearchApi } from '#api/search-api.ts';
import { ConfigError } from '#engine/errors.ts';
import { openLocalServices } from '../runtime/local-services.ts';
import { localReindexer } from '../server/local-reindexer.ts';
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
  const server = await startLocalServer(createSearchApi({ ...services, auth, catalog, reindexer, logger }), {
    port: options.port,
    host: options.host,
  });
  process.stdout.write(`${serveBanner(server.url, auth.enforced)}\n`);
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

export function serveBanner(url: string, authEnforced = false): string {
  const auth = authEnforced
    ? ` -H "authorization: Bearer $(npx codesearch token create --sub me --repos '*' --ttl 1d)"`
    : '';
  return [
    `codesearch API listening on ${url}${authEnforced ? ' (bearer tokens required)' : ''}`,
    `Search page: ${url}/`,
    'Try:',
    `  curl -s ${url}/search${auth} -H 'content-type: application/json' -d '{"query":"where are search filters escaped?","limit":5}'`,
    `  curl -s ${url}/health`,
  ].join('\n');
}
