/**
 * AWS SDK clients, created once per container and shared by every invocation (connection reuse is most of
 * a warm request's speed). Handlers call `awsClients()`; tests build their own with `createAwsClients` and
 * pass them in. Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables when set.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClients {
  readonly dynamo: DynamoDBClient;
  /** Marshals plain objects; undefined attributes are dropped rather than refused. */
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerClient;
}

export interface AwsClientSettings {
  readonly region?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Service endpoints other than AWS's (emulators in tests). */
  readonly endpoints?: {
    readonly dynamodb?: string;
    readonly sqs?: string;
    readonly secretsManager?: string;
  };
  /** @default the SDK's standard retry mode, 3 attempts */
  readonly maxAttempts?: number;
}

export function createAwsClients(settings: AwsClientSettings = {}): AwsClients {
  const common = {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
  };
  const endpoint = (url: string | undefined) => (url ? { endpoint: url } : {});
  const dynamo = new DynamoDBClient({ ...common, ...endpoint(settings.endpoints?.dynamodb) });
  return {
    dynamo,
    documents: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    sqs: new SQSClient({ ...common, ...endpoint(settings.endpoints?.sqs) }),
    secrets: new SecretsManagerClient({ ...common, ...endpoint(settings.endpoints?.secretsManager) }),
  };
}

let shared: AwsClients | undefined;

/** The container's clients. */
export function awsClients(): AwsClients {
  shared ??= createAwsClients();
  return shared;
}
