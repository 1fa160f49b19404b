/**
 * The codesearch stack: state (bucket, tables, queue, secrets) and service (layers, functions, API), and the
 * outputs an operator needs after `cdk deploy`. Environment-agnostic, so `cdk synth` needs no AWS account.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { RuntimeLayerFolders } from '../scripts/layers/index.ts';
import { CodeSearchService } from './codesearch-service.ts';
import { CodeSearchState } from './codesearch-state.ts';
import type { DeployConfig } from './deploy-config.ts';

export interface CodeSearchStackProps extends StackProps {
  readonly config: DeployConfig;
  /** Built for `config.architecture` and `config.model`. */
  readonly layerFolders: RuntimeLayerFolders;
}

const ARCHITECTURES: Record<DeployConfig['architecture'], lambda.Architecture> = {
  x86_64: lambda.Architecture.X86_64,
  arm64: lambda.Architecture.ARM_64,
};

export class CodeSearchStack extends Stack {
  readonly state: CodeSearchState;
  readonly service: CodeSearchService;

  constructor(scope: Construct, id: string, props: CodeSearchStackProps) {
    super(scope, id, {
      description: 'codesearch: semantic code search (API, index in S3, push-driven indexing)',
      ...props,
    });
    const { config } = props;
    this.state = new CodeSearchState(this, 'State');
    this.service = new CodeSearchService(this, 'Service', {
      state: this.state,
      layerFolders: props.layerFolders,
      architecture: ARCHITECTURES[config.architecture],
      searchMemoryMb: config.searchMemory,
      searchReservedConcurrency: config.searchConcurrency,
      api: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      indexConcurrency: config.indexConcurrency,
      modelS3Uri: config.modelS3Uri,
      modelEphemeralStorageMb: config.modelEphemeralStorageMb,
      allowedOwners: config.allowedOwners
        ?.split(',')
        .map((owner) => owner.trim())
        .filter(Boolean),
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('ApiUrl', this.service.api.url, 'Base URL of the search API');
    output(
      'WebhookUrl',
      `${this.service.api.url}webhooks/github`,
      "Payload URL for the repository's or organisation's GitHub webhook (push events)",
    );
    output(
      'McpUrl',
      `${this.service.api.url}mcp`,
      'MCP endpoint for coding agents (Streamable HTTP; send an API token as a bearer token)',
    );
    output('IndexBucketName', this.state.indexBucket.bucketName, 'S3 bucket holding the LanceDB index');
    output(
      'SigningKeysSecretName',
      this.state.signingKeys.secretName,
      'Secret with the API token signing keys',
    );
    output('GitHubWebhookSecretName', this.state.webhookSecret.secretName, 'Secret of the GitHub webhook');
    output('GitHubTokenSecretName', this.state.githubToken.secretName, 'Secret to put the GitHub token in');
    output(
      'RepositoriesTableName',
      this.state.tables.repositories.tableName,
      'DynamoDB table of the repositories the webhook accepts',
    );
    output('JobQueueUrl', this.state.jobQueue.queueUrl, 'SQS queue of indexing jobs');
    output('DeadLetterQueueUrl', this.state.deadLetterQueue.queueUrl, 'Indexing jobs that kept failing');
    const upkeepFailures = this.service.indexUpkeep.deadLetterQueue;
    if (upkeepFailures)
      output('UpkeepDeadLetterQueueUrl', upkeepFailures.queueUrl, 'Index upkeep runs that failed');
  }
}
