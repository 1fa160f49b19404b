/**
 * HTTP-only members of the error tree (the rest live in `#engine/errors.ts`). Each carries its status code and
 * is `expose`d: its message is written for the caller.
 */
import { CodeSearchError } from '#engine/errors.ts';

/** Missing, malformed, expired or wrongly signed credentials. */
export class UnauthorizedError extends CodeSearchError {
  override readonly statusCode = 401;
  override readonly expose = true;
}

/** Valid credentials that do not grant this repository or scope. */
export class ForbiddenError extends CodeSearchError {
  override readonly statusCode = 403;
  override readonly expose = true;
}

export class MethodNotAllowedError extends CodeSearchError {
  override readonly statusCode = 405;
  override readonly expose = true;
  readonly allowed: readonly string[];

  constructor(message: string, allowed: readonly string[]) {
    super(message);
    this.allowed = allowed;
  }
}

export class UnsupportedMediaTypeError extends CodeSearchError {
  override readonly statusCode = 415;
  override readonly expose = true;
}

export class TooManyRequestsError extends CodeSearchError {
  override readonly statusCode = 429;
  override readonly expose = true;
  /** Whole seconds until the caller may try again (the Retry-After header). */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
