/**
 * What the GitHub token secret holds: a token (a fine-grained PAT), or the credentials of a GitHub App
 * installation as JSON:
 *
 *     { "appId": "123", "installationId": "456", "privateKey": "<the app's .pem file, newlines as \n>" }
 *
 * A token never starts with "{", so JSON is how the two are told apart. Errors name the secret and the field
 * to fix, never any part of the value.
 */
import { PermanentJobError } from '#engine/pipeline/errors.ts';

export interface GitHubAppCredentials {
  readonly appId: string;
  readonly installationId: string;
  /** PEM, PKCS#1 (what GitHub hands out) or PKCS#8. */
  readonly privateKey: string;
}

export type GitHubCredentials =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'app'; readonly app: GitHubAppCredentials };

/** The secret is neither a token nor a well-formed GitHub App document. */
export class GitHubAppSecretInvalidError extends PermanentJobError {}

/** The secret is meant as a token but is not one: GitHub would refuse it, and fetch would quote it. */
export class GitHubTokenInvalidError extends PermanentJobError {}

/** GitHub's tokens are 40 to about 100 visible ASCII characters; these leave room for what may come. */
const MIN_TOKEN_CHARS = 20;
const MAX_TOKEN_CHARS = 4096;

/**
 * @example
 * const credentials = parseGitHubCredentials(await secret.read(), secret.description);
 * if (credentials.kind === 'token') useBearer(credentials.token);
 */
export function parseGitHubCredentials(value: string, secretDescription: string): GitHubCredentials {
  if (!value.trimStart().startsWith('{'))
    return { kind: 'token', token: checkedToken(value, secretDescription) };
  const fix = `Fix secret ${secretDescription} (README, "Using a GitHub App instead of a token").`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // JSON.parse's message quotes the text near the error: it could be part of the key, so it is dropped.
    throw new GitHubAppSecretInvalidError(`the GitHub App secret is not valid JSON. ${fix}`);
  }
  const document = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const problems = [
    ...numericIdProblem(document, 'appId'),
    ...numericIdProblem(document, 'installationId'),
    ...(typeof document.privateKey === 'string' && document.privateKey.includes('PRIVATE KEY')
      ? []
      : ['"privateKey" must be the PEM private key of the app']),
  ];
  if (problems.length > 0)
    throw new GitHubAppSecretInvalidError(
      `the GitHub App secret is incomplete: ${problems.join('; ')}. ${fix}`,
    );
  return {
    kind: 'app',
    app: {
      appId: String(document.appId),
      installationId: String(document.installationId),
      privateKey: document.privateKey as string,
    },
  };
}

/** GitHub's ids are numbers; the document may give them as numbers or as strings of digits. */
function numericIdProblem(document: Record<string, unknown>, field: string): string[] {
  const id = document[field];
  const valid =
    (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) ||
    (typeof id === 'string' && /^[1-9][0-9]*$/.test(id));
  return valid
    ? []
    : [`"${field}" must be the app's numeric ${field === 'appId' ? 'App ID' : 'installation id'}`];
}

/**
 * A token, trimmed, or an error that says what is wrong with it without quoting any of it: a token with a
 * line break or a space (a multi-line value pasted by mistake) would otherwise reach fetch, which refuses
 * the header and puts the whole value in its message.
 */
function checkedToken(value: string, secretDescription: string): string {
  const token = value.trim();
  const fix = `Fix secret ${secretDescription}: it must hold the token alone (README, "Secrets: never on the command line").`;
  const problem =
    token.length === 0
      ? 'it is empty'
      : token.length < MIN_TOKEN_CHARS
        ? `it is shorter than ${MIN_TOKEN_CHARS} characters`
        : token.length > MAX_TOKEN_CHARS
          ? `it is longer than ${MAX_TOKEN_CHARS} characters`
          : /[\r\n]/.test(token)
            ? 'it holds more than one line'
            : /\s/.test(token)
              ? 'it holds a space'
              : /[^\x21-\x7e]/.test(token)
                ? 'it holds a character that is not visible ASCII'
                : undefined;
  if (problem) throw new GitHubTokenInvalidError(`the GitHub token is not a token: ${problem}. ${fix}`);
  return token;
}
