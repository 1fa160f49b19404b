/**
 * `codesearch serve`: a plain Node HTTP server that turns each request into the API Gateway v2 event the
 * Lambda receives, and runs the same handler. Only the translation lives here, and it is API Gateway's:
 *
 * - the route table is the deployed one (`SEARCH_ROUTES`): what API Gateway answers with its own 404 (a
 *   method or path no route has, such as `HEAD /health` or `GET //repos`) is answered so here, and the
 *   handler is never called;
 * - the path is the request's as sent, never normalised (`new URL('//evil/repos', base)` would read `evil` as
 *   a host name and serve `/repos`);
 * - `Host` and `Origin` are checked first (request-guard.ts), because a local server is reachable from
 *   every web page its user opens.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiRoute, matchGatewayRoute, SEARCH_ROUTES } from '#api/gateway-routes.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '#api/http-types.ts';
import { jsonResult } from '#api/http-types.ts';
import { MAX_BODY_BYTES } from '#api/schemas.ts';
import { redactor } from '#engine/secret-redaction.ts';
import { type GuardPolicy, guardRequest, policyFor } from './request-guard.ts';

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface LocalServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** @default the deployed search API's routes */
  readonly routes?: readonly ApiRoute[];
  /** @default `loopback` for a loopback address, else `same-origin` */
  readonly guard?: GuardPolicy;
  /** Told about every request the guard refused (what a web page tried), for the log. */
  readonly onRefused?: (refusal: {
    method: string;
    path: string;
    host?: string;
    origin?: string;
    reason: string;
  }) => void;
}

export async function startLocalServer(
  handler: HttpHandler,
  options: LocalServerOptions = {},
): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const routes = options.routes ?? SEARCH_ROUTES;
  const policy = options.guard ?? policyFor(host);
  let port = 0;
  const server = createServer((req, res) => {
    void serveOne(handler, req, res, { routes, policy, bound: { host, port }, onRefused: options.onRefused });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  port = address.port;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${shownHost}:${address.port}`, close: () => closeServer(server) };
}

interface ServeContext {
  readonly routes: readonly ApiRoute[];
  readonly policy: GuardPolicy;
  readonly bound: { readonly host: string; readonly port: number };
  readonly onRefused: LocalServerOptions['onRefused'];
}

async function serveOne(
  handler: HttpHandler,
  req: IncomingMessage,
  res: ServerResponse,
  context: ServeContext,
): Promise<void> {
  let result: HttpResult;
  try {
    result = await answer(handler, req, context);
  } catch (error) {
    console.error('local server: request failed', redactor.redactDeep(error));
    result = jsonResult(500, { error: 'Internal error' });
  }
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

async function answer(
  handler: HttpHandler,
  req: IncomingMessage,
  context: ServeContext,
): Promise<HttpResult> {
  const refusal = guardRequest(context.policy, context.bound, {
    method: req.method ?? 'GET',
    host: req.headers.host,
    origin: req.headers.origin,
  });
  if (refusal) {
    req.resume(); // the body is not wanted
    context.onRefused?.({
      method: req.method ?? 'GET',
      path: (req.url ?? '/').slice(0, 200),
      host: req.headers.host,
      origin: req.headers.origin,
      reason: refusal.message,
    });
    return jsonResult(refusal.status, { error: refusal.message });
  }
  const target = req.url ?? '/';
  const query = target.indexOf('?');
  const rawPath = query === -1 ? target : target.slice(0, query);
  const rawQueryString = query === -1 ? '' : target.slice(query + 1);
  const method = (req.method ?? 'GET').toUpperCase();
  const route = matchGatewayRoute(context.routes, method, rawPath);
  if (!route) {
    req.resume();
    // API Gateway's own answer for a request no route takes.
    return jsonResult(404, { message: 'Not Found' });
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === 'too-large') return jsonResult(413, { error: `Request body exceeds ${MAX_BODY_BYTES} bytes` });
  return handler(toEvent(req, { method, rawPath, rawQueryString, ...route }, body));
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

interface Target {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
}

function toEvent(req: IncomingMessage, target: Target, body: Buffer): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Repeated parameters are joined with commas, as API Gateway does, so both entry points see the same input.
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(target.rawQueryString)) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: target.routeKey,
    rawPath: target.rawPath,
    rawQueryString: target.rawQueryString,
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    ...(target.pathParameters ? { pathParameters: target.pathParameters } : {}),
    body: body.byteLength > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.byteLength > 0,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: target.method,
        path: target.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: target.routeKey,
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
