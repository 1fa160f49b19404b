/**
 * `codesearch serve`: a plain Node HTTP server that turns each request into the API Gateway v2 event the
 * Lambda receives, and runs the same handler. Only the translation lives here.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEvent, HttpHandler, HttpResult } from '#api/http-types.ts';
import { jsonResult } from '#api/http-types.ts';
import { MAX_BODY_BYTES } from '#api/schemas.ts';

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startLocalServer(
  handler: HttpHandler,
  options: { port?: number; host?: string } = {},
): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    void serveOne(handler, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${shownHost}:${address.port}`, close: () => closeServer(server) };
}

async function serveOne(handler: HttpHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let result: HttpResult;
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    result =
      body === 'too-large'
        ? jsonResult(413, { error: `Request body exceeds ${MAX_BODY_BYTES} bytes` })
        : await handler(toEvent(req, body));
  } catch (error) {
    console.error('local server: request failed', error);
    result = jsonResult(500, { error: 'Internal error' });
  }
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** Reads at most `limit` bytes; beyond that the request is answered 413 without buffering the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (part: Buffer) => {
      size += part.byteLength;
      if (size > limit) tooLarge = true;
      else parts.push(part);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function toEvent(req: IncomingMessage, body: Buffer): HttpEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Repeated parameters are joined with commas, as API Gateway does, so both entry points see the same input.
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters,
    body: body.byteLength > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.byteLength > 0,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
