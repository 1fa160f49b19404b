/**
 * Configuration from the environment, read once at cold start and validated: a missing or malformed
 * variable is a ConfigError naming it, not an undefined deep inside a request. The environment holds names,
 * URLs and ARNs only — secret values are read from Secrets Manager.
 */
import type { z } from 'zod';
import { ConfigError } from '#engine/errors.ts';

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
