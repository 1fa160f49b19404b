/**
 * A model folder in S3 instead of the model layer (`-c modelS3Uri=s3://bucket/prefix/`), for a model too
 * large for Lambda's 250 MB budget beside LanceDB. Each function that reads the model copies the folder to
 * /tmp at cold start (src/adapters/aws/model-from-s3.ts), so it gets read access to that prefix only, the
 * variable naming it, and ephemeral storage for the copy; the model layer is left out.
 */
import { type Size, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { parseS3Uri } from '#adapters/aws/model-from-s3.ts';
import { FUNCTION_ENV } from './function-environment.ts';
import { acknowledge } from './nag-acknowledgements.ts';

export interface ModelFromBucket {
  /** `s3://bucket/prefix/` of the model folder (`model.onnx`, `tokenizer.json`, `codesearch-model.json`, …). */
  readonly uri: string;
  /** Ephemeral storage (/tmp) for the copy: the model, and the old version while a new one is fetched. */
  readonly ephemeralStorage: Size;
}

/**
 * Lets `fn` list and read the objects under the model's prefix (the bucket need not belong to this stack)
 * and names the location in `CODESEARCH_MODEL_URI`.
 */
export function bindModelFromBucket(fn: lambda.Function, model: ModelFromBucket): void {
  const { bucket, prefix } = parseS3Uri(model.uri);
  const bare = prefix.replace(/\/$/, '');
  const arn = (resourceName?: string) =>
    Stack.of(fn).formatArn({ service: 's3', region: '', account: '', resource: bucket, resourceName });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [arn(`${bare}/*`)] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [arn()],
      conditions: { StringLike: { 's3:prefix': [bare, `${bare}/*`] } },
    }),
  );
  fn.addEnvironment(FUNCTION_ENV.modelUri, `s3://${bucket}/${prefix}`);
  acknowledge(
    fn.role ?? fn,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${bare}/*]`,
    'A model folder is a few objects (model.onnx, tokenizer files, codesearch-model.json) read at cold start; ' +
      'the grant is read-only and limited to the prefix the operator named.',
  );
}
