import { createSearchApi } from '#api/search-api.ts';
import { openLocalServices } from '../runtime/local-services.ts';
import { startLocalServer } from '../server/local-server.ts';

export interface ServeCommandOptions {
  readonly home?: string;
  readonly model?: string;
  readonly port: number;
  readonly host: string;
}

/** Serves until SIGINT/SIGTERM, then closes the server and the stores. */
export async function runServeCommand(options: ServeCommandOptions): Promise<void> {
  const services = await openLocalServices({ home: options.home, modelDir: options.model });
  const server = await startLocalServer(createSearchApi(services), {
    port: options.port,
    host: options.host,
  });
  process.stdout.write(`${serveBanner(server.url)}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await services.close();
}

export function serveBanner(url: string): string {
  return [
    `codesearch API listening on ${url}`,
    'Try:',
    `  curl -s ${url}/search -H 'content-type: application/json' -d '{"query":"where are search filters escaped?","limit":5}'`,
    `  curl -s ${url}/health`,
  ].join('\n');
}
