/**
 * `codesearch mcp`: an MCP server over stdio against the local index — the engine, model and data directory
 * `serve` uses, and the same tools the deployed `/mcp` endpoint offers — so an agent on a laptop needs no
 * server. It runs as the local user (every indexed repository), like the CLI's own `search`. Standard
 * output carries the protocol only: logs go to standard error.
 */
import { join } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { LOCAL_CALLER } from '#api/auth/caller.ts';
import { createMcpServer } from '#api/mcp/mcp-server.ts';
import { jsonLinesLogger } from '#api/middleware/request-log.ts';
import { createApiServices } from '#api/search-api.ts';
import { openLocalServices } from '../runtime/local-services.ts';

export interface McpCommandOptions {
  readonly home?: string;
  readonly model?: string;
}

/** Serves until the client closes standard input (or SIGINT/SIGTERM), then closes the stores. */
export async function runMcpCommand(options: McpCommandOptions): Promise<void> {
  const services = await openLocalServices({ home: options.home, modelDir: options.model });
  const catalog = await SqliteRepoCatalog.open(join(services.home, 'state.sqlite'));
  const logger = jsonLinesLogger((line) => process.stderr.write(line));
  const server = createMcpServer({
    services: createApiServices({ ...services, catalog }, logger),
    caller: LOCAL_CALLER,
    onFault: (tool, error) => logger.error('MCP tool failed', { tool, error }),
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
  catalog.close();
  await services.close();
}
