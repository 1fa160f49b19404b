/**
 * The deployment choices an operator makes with CDK context (`npx cdk deploy -c architecture=x86_64 …` or
 * cdk.json's "context"), validated once with messages that name the key.
 */
import type { Node } from 'constructs';
import { z } from 'zod';
import { LAMBDA_ARCHITECTURES } from '../scripts/layers/index.ts';

/** Context values from the command line arrive as strings; numbers may also come from cdk.json. */
const whole = (key: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${key} must be a number` })
    .int({ error: `${key} must be a whole number` })
    .min(min, { error: `${key} must be at least ${min}` })
    .max(max, { error: `${key} must be at most ${max}` });

export const DeployConfigSchema = z.object({
  /** Folder of the embedding model shipped in the model layer, relative to the project root. */
  model: z.string().min(1).default('models/default'),
  /**
   * x86_64: the only architecture LanceDB 0.39 publishes a Linux build for on npm (see infra/README.md).
   */
  architecture: z
    .enum(['x86_64', 'arm64'], { error: `architecture must be one of ${LAMBDA_ARCHITECTURES.join(', ')}` })
    .default('x86_64'),
  /** Memory of the search function, MB. */
  searchMemory: whole('searchMemory', 512, 10_240).default(2048),
  /** Reserved concurrency of the search function; unset = the account's unreserved pool. */
  searchConcurrency: whole('searchConcurrency', 1, 10_000).optional(),
  /** API Gateway steady-state requests per second. */
  apiRateLimit: whole('apiRateLimit', 1, 10_000).default(50),
  /** API Gateway burst. */
  apiBurstLimit: whole('apiBurstLimit', 1, 5_000).default(100),
  /**
   * Most index workers running at once: the job queue's event source maximum concurrency (SQS allows 2 to
   * 1,000). It bounds the load on GitHub (every worker downloads blobs) and the write conflicts on the table.
   */
  indexConcurrency: whole('indexConcurrency', 2, 1_000).default(10),
  /**
   * GitHub owners (users or organisations) whose every repository the webhook accepts without registering it,
   * comma-separated.
   */
  allowedOwners: z
    .string()
    .regex(/^\s*[\w.-]+(\s*,\s*[\w.-]+)*\s*$/, {
      error: 'allowedOwners must be GitHub owner names separated by commas',
    })
    .optional(),
});

export type DeployConfig = z.infer<typeof DeployConfigSchema>;

const KEYS = Object.keys(DeployConfigSchema.shape) as (keyof typeof DeployConfigSchema.shape)[];

/** Reads and validates the context keys above. @throws Error listing every invalid key. */
export function readDeployConfig(node: Node): DeployConfig {
  const raw = Object.fromEntries(
    KEYS.map((key) => [key, node.tryGetContext(key)]).filter(([, v]) => v !== undefined),
  );
  const parsed = DeployConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid CDK context: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  return parsed.data;
}
