/**
 * Configuration from the environment, read once at cold start and validated: a missing or malformed
 * variable is a ConfigError naming it, not an undefined deep inside a request. The environment holds names,
 * URLs and ARNs only — secret values are read from Secrets Manager.
 */
import { z } from 'zod';
import { ConfigError } from '#engine/errors.ts';
import { environmentSchema } from './environment-contract.ts';

export function readEnvironment<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** A comma-separated list, trimmed, empty entries dropped. */
export function csv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * The variables every function that opens the index and its model reads (search, index worker, upkeep).
 * Spread into each function's own schema.
 */
export const INDEX_AND_MODEL_ENVIRONMENT = {
  ...environmentSchema(['indexUri'], ['modelUri', 'modelDir', 's3Endpoint']),
  /** Set by Lambda itself. */
  AWS_REGION: z.string().optional(),
};

/** LanceDB's object-store options for the index URI. */
export function lanceStorageOptions(env: {
  readonly AWS_REGION?: string | undefined;
  readonly CODESEARCH_S3_ENDPOINT?: string | undefined;
}): Record<string, string> {
  return {
    ...(env.AWS_REGION ? { aws_region: env.AWS_REGION } : {}),
    ...(env.CODESEARCH_S3_ENDPOINT
      ? {
          aws_endpoint: env.CODESEARCH_S3_ENDPOINT,
          aws_allow_http: String(env.CODESEARCH_S3_ENDPOINT.startsWith('http:')),
        }
      : {}),
  };
}
