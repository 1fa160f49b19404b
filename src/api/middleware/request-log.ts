/**
 * One structured log record per request — route, status, latency, cache hit, result count, caller — and the
 * same record handed to `onRecord` (Lambda turns it into CloudWatch metrics). Registered first, so its `after`
 * and `onError` run last and see the final status.
 */
import type { MiddlewareObj } from '@middy/core';
import { redactor } from '#engine/secret-redaction.ts';
import type { HttpEvent, HttpResult } from '../http-types.ts';
import { type ApiRequest, stateOf } from './request-state.ts';

export interface ApiLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface RequestRecord {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /** The matched route's template (`/repos/{repo}/reindex`), for grouping; null when none matched. */
  readonly route: string | null;
  readonly status: number;
  readonly latencyMs: number;
  readonly cacheHit: boolean | null;
  readonly resultCount: number | null;
  readonly caller: string | null;
}

export function requestLog(
  logger: ApiLogger,
  onRecord: (record: RequestRecord) => void = () => {},
): MiddlewareObj<HttpEvent, HttpResult> {
  const finish = (request: ApiRequest) => {
    const state = stateOf(request);
    const event = request.event;
    const record: RequestRecord = {
      requestId: event.requestContext?.requestId ?? '',
      method: event.requestContext?.http?.method ?? '',
      path: event.rawPath ?? '',
      route: state.route?.path ?? null,
      status: request.response?.statusCode ?? 500,
      latencyMs: Math.round((performance.now() - state.startedAt) * 10) / 10,
      cacheHit: state.facts.cacheHit ?? null,
      resultCount: state.facts.resultCount ?? null,
      caller: state.caller?.sub ?? null,
    };
    logger.info('request', { ...record });
    onRecord(record);
  };
  return {
    before: (request) => {
      stateOf(request); // starts the clock
    },
    after: finish,
    onError: finish,
  };
}

/** JSON lines for local use, in the shape Powertools' logger writes in Lambda. */
export function jsonLinesLogger(write: (line: string) => void): ApiLogger {
  const emit = (level: string) => (message: string, attributes: Record<string, unknown>) =>
    write(
      `${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...attributes }, redactor.jsonReplacer)}\n`,
    );
  return { info: emit('INFO'), error: emit('ERROR') };
}

export const SILENT_LOGGER: ApiLogger = { info: () => {}, error: () => {} };
