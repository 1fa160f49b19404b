/**
 * Builds the webhook handler from its environment and the container's clients: the cached webhook secret,
 * the repository registry, the job queue and Powertools idempotency per delivery. Tests call this with
 * emulator-backed clients, so they run the same wiring as Lambda.
 */
import { z } from 'zod';
import type { AwsClients } from '#adapters/aws/clients.ts';
import { powertoolsDeliveryOnce } from '#adapters/aws/delivery-once.ts';
import { DynamoRepoRegistry } from '#adapters/aws/dynamo-repo-registry.ts';
import { csv, readEnvironment } from '#adapters/aws/environment.ts';
import { environmentSchema } from '#adapters/aws/environment-contract.ts';
import { secretsManagerSecret } from '#adapters/aws/secrets-manager-secret.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import { DEFAULT_WEBHOOK_SETTINGS } from '#adapters/github/webhook-receiver.ts';
import { cachedSecret } from '#engine/pipeline/cached-secret.ts';
import type { PipelineLog } from '#engine/pipeline/ports.ts';
import { createWebhookHandler, type WebhookHandler } from './webhook-handler.ts';

export const WebhookEnvironment = z.object(
  environmentSchema(
    ['webhookSecret', 'jobQueueUrl', 'repositoriesTable', 'webhookDeliveriesTable'],
    ['allowedOwners', 'untrustedCommitCount'],
  ),
);

export function openWebhook(
  clients: AwsClients,
  log: PipelineLog,
  environment?: NodeJS.ProcessEnv,
): WebhookHandler {
  const env = readEnvironment(WebhookEnvironment, environment);
  const once = powertoolsDeliveryOnce({ client: clients.dynamo, tableName: env.CODESEARCH_DELIVERIES_TABLE });
  const registry = new DynamoRepoRegistry(clients.documents, env.CODESEARCH_REPOSITORIES_TABLE);
  return createWebhookHandler(
    {
      secret: cachedSecret(secretsManagerSecret(clients.secrets, env.CODESEARCH_WEBHOOK_SECRET_ID)),
      registry,
      // A GitHub App's installation events register and unregister the repositories it is installed on.
      enrolment: registry,
      queue: new SqsJobQueue(clients.sqs, env.CODESEARCH_JOB_QUEUE_URL),
      deliverOnce: once.deliverOnce,
      log,
      settings: {
        ...DEFAULT_WEBHOOK_SETTINGS,
        allowedOwners: csv(env.CODESEARCH_ALLOWED_OWNERS),
        untrustedCommitCount:
          env.CODESEARCH_UNTRUSTED_COMMIT_COUNT ?? DEFAULT_WEBHOOK_SETTINGS.untrustedCommitCount,
      },
    },
    once.registerContext,
  );
}
