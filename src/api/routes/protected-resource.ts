/**
 * `GET /.well-known/oauth-protected-resource` (no auth): OAuth 2.0 Protected Resource Metadata (RFC 9728),
 * which MCP clients read after a 401 to learn how to get a token. It names the resource (this API), that
 * tokens go in the `Authorization` header, and the scopes; `authorization_servers` lists the issuers the
 * deployment trusts when one is configured. Without one (the default: tokens are minted by
 * `codesearch token create`), a client learns that it needs a bearer token and where to send it.
 */

import { SCOPES } from '../auth/caller.ts';
import { jsonResult } from '../http-types.ts';
import { PROTECTED_RESOURCE_PATH, publicOrigin } from '../public-origin.ts';
import { defineRoute } from '../route.ts';
import { ProtectedResourceMetadataSchema } from '../schemas.ts';

export const protectedResourceRoute = defineRoute({
  method: 'GET',
  path: PROTECTED_RESOURCE_PATH,
  summary:
    'OAuth protected-resource metadata (RFC 9728): how to present a token to this API. No token needed.',
  access: 'public',
  responses: { 200: { description: 'The metadata.', schema: ProtectedResourceMetadataSchema } },
  handle: async (_input, { services, event }) => {
    const origin = publicOrigin(event);
    const issuers = services.authorizationServers ?? [];
    return jsonResult(200, {
      resource: origin,
      resource_name: 'codesearch',
      ...(issuers.length > 0 ? { authorization_servers: [...issuers] } : {}),
      bearer_methods_supported: ['header'],
      scopes_supported: [...SCOPES],
    });
  },
});
