/**
 * Who called which AWS operation on which resource, as the emulators record it. Each function of a test can
 * sign with credentials of its own (the access key id names it), so a test can compare what a function
 * really calls with what its IAM role allows (test/pipeline/granted-calls.test.ts).
 */

export interface AwsCall {
  /** The access key id the request was signed with. */
  readonly principal: string;
  /** The API operation, e.g. `BatchWriteItem`, `SendMessageBatch`, `GetSecretValue`. */
  readonly operation: string;
  /** What it was called on: table names, a queue name, a secret id. */
  readonly resources: readonly string[];
}

/** The access key id of a SigV4 `Authorization` header (`… Credential=AKID/date/region/service/…`). */
export function principalOf(authorization: string | string[] | undefined): string {
  const match = /Credential=([^/,\s]+)\//.exec(String(authorization ?? ''));
  return match?.[1] ?? 'anonymous';
}
