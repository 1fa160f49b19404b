/**
 * How the API learns who is calling. Two implementations: bearer JWTs checked against a key set (Lambda,
 * `serve --auth`), and open access for the loopback dev server, where everyone is the local user.
 */
import type { KeySetProvider } from './cached-key-set.ts';
import { type Caller, LOCAL_CALLER } from './caller.ts';
import { verifyBearer } from './tokens.ts';

export interface Authenticator {
  /** Resolves the caller from the `Authorization` header, or throws UnauthorizedError. */
  authenticate(authorization: string | undefined): Promise<Caller>;
  /** False when every caller is let in (only for loopback development). */
  readonly enforced: boolean;
}

export const OPEN_ACCESS: Authenticator = {
  enforced: false,
  authenticate: async () => LOCAL_CALLER,
};

export function bearerTokenAuthenticator(
  keys: KeySetProvider,
  options: { now?: () => Date } = {},
): Authenticator {
  return {
    enforced: true,
    authenticate: (authorization) => verifyBearer(authorization, keys, { now: options.now?.() }),
  };
}
