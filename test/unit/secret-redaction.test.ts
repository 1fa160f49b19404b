import { afterEach, describe, expect, it } from 'vitest';
import { errorToResult } from '#api/middleware/error-response.ts';
import { jsonLinesLogger } from '#api/middleware/request-log.ts';
import { InvalidRequestError } from '#engine/errors.ts';
import { REDACTED, redactor } from '#engine/secret-redaction.ts';

afterEach(() => redactor.forgetAll());

describe('the secret redactor', () => {
  it('replaces a remembered secret, each of its lines, and each string of a JSON secret', () => {
    redactor.remember('first-webhook-secret\nsecond-webhook-secret\n');
    redactor.remember(
      JSON.stringify({ appId: '123', privateKey: '-----BEGIN KEY-----\nMIIEabcdefgh\n-----END KEY-----' }),
    );
    expect(redactor.redact('bad header "first-webhook-secret\\nsecond-webhook-secret"')).toBe(
      `bad header "${REDACTED}\\n${REDACTED}"`,
    );
    expect(redactor.redact('key line MIIEabcdefgh seen')).toBe(`key line ${REDACTED} seen`);
    // Short values are not remembered: they could not be told from ordinary text
    expect(redactor.redact('appId 123')).toBe('appId 123');
  });

  it('redacts inside errors and nested log attributes, and on its way through JSON.stringify', () => {
    redactor.remember('ghp_0123456789abcdefABCDEF');
    const error = new TypeError(
      'Headers.append: "token ghp_0123456789abcdefABCDEF" is an invalid header value',
    );
    expect(JSON.stringify(redactor.redactDeep({ job: { errors: [error] } }))).not.toContain('ghp_0123456789');
    const line = JSON.stringify({ reason: error.message }, redactor.jsonReplacer);
    expect(line).toContain(`token ${REDACTED}`);
    expect(line).not.toContain('ghp_');
  });

  it('guards the API’s exits: the request log and the error body', () => {
    redactor.remember('signing-key-value-0123456789');
    const lines: string[] = [];
    jsonLinesLogger((line) => lines.push(line)).error('failed', {
      error: 'with signing-key-value-0123456789',
    });
    expect(lines.join('')).not.toContain('signing-key-value');
    const result = errorToResult(new InvalidRequestError('query: signing-key-value-0123456789'), () => {});
    expect(result.statusCode).toBe(400);
    expect(result.body).not.toContain('signing-key-value');
  });
});
