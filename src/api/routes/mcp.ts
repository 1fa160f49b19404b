/**
 * `POST /mcp`: the Model Context Protocol's Streamable HTTP transport, stateless, answering JSON (the SDK's
 * web-standard transport, one server per request: any Lambda container may answer any request, so no session
 * is kept). The request has passed the same middleware as every route — authentication (a 401 names the
 * protected-resource metadata), the token's scope, the rate limit, the body's type and size — and the tools
 * run as the caller it authenticated. `GET /mcp` (the optional server-sent event stream) is answered 405, as
 * the specification allows a server that sends nothing unasked.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import { MethodNotAllowedError } from '../errors.ts';
import type { HttpEvent, HttpResult } from '../http-types.ts';
import { createMcpServer } from '../mcp/mcp-server.ts';
import { publicOrigin } from '../public-origin.ts';
import { defineRoute } from '../route.ts';
import { ErrorResponseSchema } from '../schemas.ts';

export const MCP_PATH = '/mcp';

export const mcpRoute = defineRoute({
  method: 'POST',
  path: MCP_PATH,
  summary:
    'Model Context Protocol (Streamable HTTP, stateless, JSON responses): the tools search_code, find_similar_code, get_code_context, find_symbol, list_repositories and read_file, under the token’s grant.',
  access: 'search',
  input: { from: 'body', schema: z.unknown() },
  responses: {
    200: { description: 'The JSON-RPC response.' },
    202: { description: 'A notification or response was accepted.' },
    400: { description: 'Not a JSON-RPC message, or an unsupported protocol version.' },
    401: {
      description: 'No valid token; `WWW-Authenticate` names the protected-resource metadata.',
      schema: ErrorResponseSchema,
    },
    406: { description: 'The client does not accept application/json and text/event-stream.' },
  },
  handle: async (message, { services, caller, event, facts }) => {
    const server = createMcpServer({
      services,
      caller,
      facts,
      onFault: (tool, error) =>
        services.logger?.error('MCP tool failed', {
          tool,
          requestId: event.requestContext?.requestId,
          error,
        }),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await toHttpResult(await transport.handleRequest(toWebRequest(event), { parsedBody: message }));
    } finally {
      await server.close();
    }
  },
});

export const mcpStreamRoute = defineRoute({
  method: 'GET',
  path: MCP_PATH,
  summary: 'Always 405: this MCP endpoint sends nothing unasked, so it offers no event stream.',
  access: 'public',
  responses: { 405: { description: 'Use POST.', schema: ErrorResponseSchema } },
  handle: async () => {
    throw new MethodNotAllowedError('This MCP endpoint offers no event stream; send requests with POST', [
      'POST',
    ]);
  },
});

/**
 * The event as the Fetch request the SDK's transport reads: its headers (the body is handed over parsed).
 * A header or host the Fetch API refuses (HTTP parsers in front reject them first) is left out, never a 500.
 */
function toWebRequest(event: HttpEvent): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    try {
      if (value !== undefined) headers.set(name, value);
    } catch {
      // not a header Fetch accepts: the transport does without it
    }
  }
  let url: URL;
  try {
    url = new URL(MCP_PATH, publicOrigin(event));
  } catch {
    url = new URL(MCP_PATH, 'http://localhost');
  }
  return new Request(url, { method: 'POST', headers });
}

async function toHttpResult(response: Response): Promise<HttpResult> {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { statusCode: response.status, headers, body: await response.text() };
}
