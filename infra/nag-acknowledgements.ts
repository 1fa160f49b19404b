/**
 * cdk-nag findings we accept, each with its reason, recorded on the construct the finding concerns (never
 * on the whole stack), so a new resource with the same problem still fails the synth.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A reason has to explain something: a few words are not enough for the next reader to judge it. */
const MIN_REASON_LENGTH = 30;

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `the acknowledgement of ${id} on ${scope.node.path} needs a reason (${MIN_REASON_LENGTH}+ chars)`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * How cdk-nag names a resource attribute inside an IAM finding id (`<LogicalId.Arn>`), for acknowledging a
 * wildcard below a resource this stack owns, such as `<IndexBucket….Arn>/index/*`.
 */
export function nagAttributeRef(scope: IConstruct, token: string): string {
  const resolved = Stack.of(scope).resolve(token) as unknown;
  const getAtt = (resolved as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!getAtt) throw new Error(`expected a Fn::GetAtt token, got ${JSON.stringify(resolved)}`);
  return `<${getAtt[0]}.${getAtt[1]}>`;
}
