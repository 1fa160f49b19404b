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
   * `s3://bucket/prefix/` of a model folder the functions copy to /tmp at cold start instead of the model
   * layer: for a model too large for the 250 MB budget beside LanceDB. Excludes `model`.
   */
  modelS3Uri: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^*?]*[^/*?][^*?]*$/, {
      error: 'modelS3Uri must be s3://bucket/prefix/ (a bucket name and a non-empty key prefix)',
    })
    .optional(),
  /**
   * Ephemeral storage (/tmp) of the functions that copy the model from `modelS3Uri`, MB: room for the model
   * and, while a new version is fetched, the old one (Lambda allows 512–10,240).
   */
  modelEphemeralStorageMb: whole('modelEphemeralStorageMb', 512, 10_240).optional(),
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
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  // `model` has a default, so only the raw context tells whether the operator asked for both.
  if (raw.model !== undefined && raw.modelS3Uri !== undefined)
    problems.push(
      'model and modelS3Uri exclude each other: the model comes from the layer or from the bucket',
    );
  if (raw.modelEphemeralStorageMb !== undefined && raw.modelS3Uri === undefined)
    problems.push('modelEphemeralStorageMb applies only with modelS3Uri');
  if (!parsed.success || problems.length > 0) throw new Error(`Invalid CDK context: ${problems.join('; ')}`);
  return parsed.data;
}
