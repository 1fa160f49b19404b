/**
 * The origin (`https://host`) a request was addressed to, for URLs the API hands back about itself: the
 * protected-resource metadata and the `resource_metadata` of a 401. API Gateway names its domain and the
 * scheme it was reached by (`x-forwarded-proto`); the local server names the `Host` it checked.
 */
import type { HttpEvent } from './http-types.ts';
import { header } from './middleware/request-state.ts';

export function publicOrigin(event: HttpEvent): string {
  const named = event.requestContext?.domainName || header(event, 'host') || '';
  // It goes into a URL and a quoted header parameter: a name with anything else is not used.
  const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(named)
    ? named
    : 'localhost';
  const forwarded = header(event, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const scheme =
    forwarded === 'http' || forwarded === 'https'
      ? forwarded
      : event.requestContext?.apiId === 'local'
        ? 'http'
        : 'https';
  return `${scheme}://${host}`;
}

/** Where the protected-resource metadata (RFC 9728) of this API is served. */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';
