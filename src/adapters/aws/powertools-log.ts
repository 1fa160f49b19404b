/** The pipeline's log interface over Powertools' structured JSON logger. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { PipelineLog } from '#engine/pipeline/ports.ts';

export function powertoolsLog(logger: Logger): PipelineLog {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
  };
}
