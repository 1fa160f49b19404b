/**
 * How a job failure should be treated by the queue consumer. Anything not classified here is transient: the
 * message is reported as failed and the queue redelivers it (after its visibility timeout), up to the
 * redrive policy's limit, after which the queue itself moves it to the dead-letter queue.
 */
import { CodeSearchError } from '../errors.ts';

/** Retrying cannot help (malformed job, repository gone, access denied): dead-letter it now, with the reason. */
export class PermanentJobError extends CodeSearchError {}

/** The job should be retried, but not before `delayMs` (a rate limit's reset or Retry-After). */
export class RetryLaterError extends CodeSearchError {
  readonly delayMs: number;

  constructor(message: string, delayMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.delayMs = delayMs;
  }
}
