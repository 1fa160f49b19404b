/**
 * An MCP server (the official SDK's `McpServer`) offering codesearch's tools to one caller. Remote requests
 * build one per request — the endpoint is stateless, so any Lambda container can answer any request — and
 * `codesearch mcp` builds one for its stdio session.
 *
 * A tool's failure is a tool result with `isError` (the agent reads the message and can correct itself):
 * bad arguments, a repository the token does not grant, a location that is not indexed. A fault of ours is
 * logged and shown only as "Internal error", as the REST API does, so no detail of the service leaks.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CodeSearchError } from '#engine/errors.ts';
import { redactor } from '#engine/secret-redaction.ts';
import type { Caller } from '../auth/caller.ts';
import type { ApiServices, RequestFacts } from '../route.ts';
import { CODESEARCH_TOOLS, type CodeSearchTool } from './tools.ts';

export const MCP_SERVER_INFO = { name: 'codesearch', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'codesearch finds code in the repositories you may read. Start with search_code (plain-language ' +
  'questions work best in the default hybrid mode); follow a hit with get_code_context or read_file; ' +
  'use find_symbol for a known name and find_similar_code for code like a snippet. list_repositories ' +
  'gives the repository names every filter takes.';

export interface McpServerOptions {
  readonly services: ApiServices;
  readonly caller: Caller;
  /** Facts of the HTTP request this server answers, for its log line (tools add result counts). */
  readonly facts?: RequestFacts;
  /** Called with a fault of ours (never with a caller's mistake), before the tool answers "Internal error". */
  readonly onFault?: (tool: string, error: unknown) => void;
}

export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, {
    capabilities: { tools: { listChanged: false } },
    instructions: INSTRUCTIONS,
  });
  for (const tool of CODESEARCH_TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      },
      (args: Record<string, unknown>) => callTool(tool, args, options),
    );
  }
  return server;
}

async function callTool(
  tool: CodeSearchTool,
  args: Record<string, unknown>,
  options: McpServerOptions,
): Promise<CallToolResult> {
  try {
    const result = await tool.run(args, {
      services: options.services,
      caller: options.caller,
      facts: options.facts ?? {},
    });
    return { content: [{ type: 'text', text: tool.render(result) }], structuredContent: result };
  } catch (error) {
    return { content: [{ type: 'text', text: toolErrorMessage(tool, error, options) }], isError: true };
  }
}

function toolErrorMessage(tool: CodeSearchTool, error: unknown, options: McpServerOptions): string {
  if (error instanceof CodeSearchError && error.expose) return redactor.redact(error.message);
  options.onFault?.(tool.name, error);
  return 'Internal error';
}
