/** The pipeline's log interface over Powertools' structured JSON logger, and the functions' logger itself. */
import { Logger } from '@aws-lambda-powertools/logger';
import type { PipelineLog } from '#engine/pipeline/ports.ts';
import { redactor } from '#engine/secret-redaction.ts';

/**
 * The Powertools logger every function logs with: every string of every log item (the message, attributes,
 * error messages and stacks) passes the secret redactor on its way out.
 */
export function functionLogger(serviceName: string): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redactor.jsonReplacer });
}

export function powertoolsLog(logger: Logger): PipelineLog {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
  };
}
