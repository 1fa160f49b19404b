/**
 * What a web page may not make the local server do. Any page the developer visits can send requests to
 * http://127.0.0.1:8787: with DNS rebinding (`attacker.example` resolving to 127.0.0.1) a script even reads
 * the answers, and a cross-origin form can POST without reading them. The MCP specification asks the same of
 * local servers: validate `Host` and `Origin`, bind to loopback.
 *
 * - `loopback` (a server bound to a loopback address, as `serve` without `--auth` must be): the `Host` header
 *   must name a loopback address or the bound address, on the bound port; an `Origin`, when sent, must be
 *   one of those too.
 * - `same-origin` (`serve --auth` on another address, whose public name is not known here): an `Origin`,
 *   when sent, must be the origin the request was addressed to (its `Host`).
 *
 * Refusals are 403, as the MCP conformance suite expects. Requests without an `Origin` come from programs
 * (curl, agents), which a page cannot impersonate: browsers send it with every cross-origin request that
 * could do harm (fetches and form posts).
 */

export type GuardPolicy = 'loopback' | 'same-origin';

export interface GuardedRequest {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
}

export interface Refusal {
  readonly status: 403;
  readonly message: string;
}

/** Names under which a loopback server is reached. */
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The policy for a server bound to `host`. */
export function policyFor(host: string): GuardPolicy {
  return LOOPBACK_HOST.test(host.includes(':') ? `[${host}]` : host) ? 'loopback' : 'same-origin';
}

/**
 * Whether to refuse a request, and why.
 *
 * @param bound - the address and port the server listens on (`127.0.0.1`, 8787)
 * @example
 * guardRequest('loopback', { host: '127.0.0.1', port: 8787 }, { method: 'GET', host: 'evil.example:8787', origin: undefined });
 * // { status: 403, message: 'Host evil.example:8787 is not this server …' }
 */
export function guardRequest(
  policy: GuardPolicy,
  bound: { readonly host: string; readonly port: number },
  request: GuardedRequest,
): Refusal | undefined {
  if (policy === 'loopback' && !isOwnHost(request.host, bound)) {
    return {
      status: 403,
      message: `Host ${printable(request.host ?? '(none)')} is not this server; use http://127.0.0.1:${bound.port}`,
    };
  }
  if (request.origin === undefined) return undefined;
  const allowed =
    policy === 'loopback'
      ? originHost(request.origin) !== undefined && isOwnHost(originHost(request.origin), bound)
      : request.host !== undefined && request.origin.toLowerCase() === `http://${request.host.toLowerCase()}`;
  if (allowed) return undefined;
  return {
    status: 403,
    message: `Requests from ${printable(request.origin)} are not accepted; this server only answers pages it serves itself`,
  };
}

/** `Host` (or an origin's host part) naming this server: a loopback name or the bound address, on its port. */
function isOwnHost(host: string | undefined, bound: { host: string; port: number }): boolean {
  if (host === undefined) return false;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (!match) return false;
  const name = match[1] as string;
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (port !== bound.port) return false;
  const boundName = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
  return LOOPBACK_HOST.test(name) || name.toLowerCase() === boundName.toLowerCase();
}

/** `http://127.0.0.1:8787` → `127.0.0.1:8787`; undefined for `null` or anything but an http origin. */
function originHost(origin: string): string | undefined {
  const match = /^http:\/\/([^/]+)$/i.exec(origin);
  return match?.[1];
}

function printable(value: string): string {
  const shown = value.length > 100 ? `${value.slice(0, 100)}…` : value;
  return shown.replace(/[^\x20-\x7e]/g, '?');
}
