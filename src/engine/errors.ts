/**
 * One error tree for the whole product. `statusCode` and `expose` tell an HTTP entry point what to answer:
 * exposed errors carry a message meant for the caller; anything else becomes a generic 500 whose details
 * stay in the logs.
 */
export class CodeSearchError extends Error {
  readonly statusCode: number = 500;
  readonly expose: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller asked for something malformed; the message says what and where. */
export class InvalidRequestError extends CodeSearchError {
  override readonly statusCode: number = 400;
  override readonly expose = true;
  readonly issues: readonly { path: string; message: string }[];

  constructor(
    message: string,
    issues: readonly { path: string; message: string }[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.issues = issues;
  }
}

export class NotFoundError extends CodeSearchError {
  override readonly statusCode: number = 404;
  override readonly expose = true;
}

export class PayloadTooLargeError extends CodeSearchError {
  override readonly statusCode: number = 413;
  override readonly expose = true;
}

/** A filter value failed validation before it could reach a LanceDB filter string. */
export class InvalidFilterError extends InvalidRequestError {}

/** The index on disk was built with another model (or dimension, or chunker): vectors must never be mixed. */
export class IndexMismatchError extends CodeSearchError {
  override readonly statusCode: number = 409;
  override readonly expose = true;
}

/** A model directory is missing files or its config is wrong. */
export class ModelLoadError extends CodeSearchError {}

/** Configuration (environment, CLI options) is missing or invalid. */
export class ConfigError extends CodeSearchError {}

/** The request conflicts with the current state (e.g. a reindex is already running). */
export class ConflictError extends CodeSearchError {
  override readonly statusCode = 409;
  override readonly expose = true;
}
