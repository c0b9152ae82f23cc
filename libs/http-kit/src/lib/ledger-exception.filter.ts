import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type ErrorShape, LedgerError } from '@rework-ledger/domain';
import { isDatabaseUnavailable, isPoolExhausted } from '@rework-ledger/platform';
import type { Request, Response } from 'express';

const DATABASE_UNAVAILABLE = 'DATABASE.UNAVAILABLE';
const DATABASE_OVERLOADED = 'DATABASE.OVERLOADED';

const STATUS_BY_CODE_PREFIX: [string, number][] = [
  ['STREAM.WRONG_EXPECTED_VERSION', 409],
  ['NOT_FOUND.', 404],
];

/** Seconds a client is told to wait before retrying a 503 (the database or the event log unavailable, a full pool, contention). */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Writes an error answer in another protocol's own shape (OTLP's google.rpc.Status) for the requests it claims, once
 * the status and headers are decided; true when it answered.
 */
export type ErrorRenderer = (request: Request, response: Response, status: number, error: ErrorShape) => boolean;

/**
 * Turns every error into the one shape `{code, message, field?}`: typed errors keep their code, body-parser and
 * Nest errors get stable codes, a database that cannot be reached is a 503 with Retry-After (the request may be sent
 * again as it is: ingestion is idempotent), and so is a pool whose connections all stayed busy — with a code of its
 * own, DATABASE.OVERLOADED, since the usual cause and its fix are others (wait, ask for less at once, a bigger pool;
 * its message does not claim the database answers: see isPoolExhausted); anything else is a 500 whose details stay in the log (never the payload).
 */
@Catch()
export class LedgerExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  /** `renderers`: the protocols whose routes answer errors in their own shape (the one exception to the one shape). */
  constructor(private readonly renderers: readonly ErrorRenderer[] = []) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toResponse(error);
    if (body.code === DATABASE_UNAVAILABLE) {
      const cause = error as { code?: unknown; message?: unknown };
      this.logger.warn(`${body.code}: ${String(cause.code ?? '')} ${String(cause.message ?? error)}`);
    } else if (body.code === DATABASE_OVERLOADED) {
      this.logger.warn(
        `${body.code}: no connection of the pool became free within DATABASE_POOL_TIMEOUT_MS (every one busy, or still being opened to a slow database); if it recurs while the database answers, raise DATABASE_READ_POOL_SIZE`,
      );
    } else if (status >= 500) this.logger.error(`${body.code}: ${error instanceof Error ? error.stack : String(error)}`);
    if (status === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    // A 429 says when its window ends; a 405 which methods the path takes; a 401 how to authenticate.
    const { retryAfterSeconds, allow, challenge } = error as { retryAfterSeconds?: unknown; allow?: unknown; challenge?: unknown };
    if (status === 401 && typeof challenge === 'string') response.setHeader('WWW-Authenticate', challenge);
    if (status === 429 && typeof retryAfterSeconds === 'number') response.setHeader('Retry-After', String(retryAfterSeconds));
    if (status === 405 && Array.isArray(allow)) response.setHeader('Allow', allow.join(', '));
    if (this.renderers.length > 0) {
      const request = host.switchToHttp().getRequest<Request>();
      if (this.renderers.some((render) => render(request, response, status, body))) return;
    }
    response.status(status).json(body);
  }

  private toResponse(error: unknown): { status: number; body: ErrorShape } {
    if (error instanceof LedgerError) {
      const explicit = (error as LedgerError & { status?: number }).status;
      const status = explicit ?? STATUS_BY_CODE_PREFIX.find(([prefix]) => error.code.startsWith(prefix))?.[1] ?? (error.retriable ? 503 : 400);
      return { status, body: error.toJSON() };
    }
    const bodyParserType = (error as { type?: string }).type;
    if (bodyParserType === 'entity.too.large') {
      return { status: 413, body: { code: 'REQUEST.TOO_LARGE', message: `the request body is over the limit of ${(error as { limit?: number }).limit ?? ''} bytes` } };
    }
    if (bodyParserType === 'entity.parse.failed') {
      return { status: 400, body: { code: 'REQUEST.MALFORMED_JSON', message: `the body is not valid JSON: ${(error as Error).message}` } };
    }
    if (bodyParserType === 'request.aborted') {
      return { status: 400, body: { code: 'REQUEST.ABORTED', message: 'the client aborted the request before its body was read' } };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const code = status === 404 ? 'NOT_FOUND.ROUTE' : `HTTP.${status}`;
      return { status, body: { code, message: error.message } };
    }
    // An error that carries an HTTP status (http-errors, from body-parser) is about the request, whatever its code.
    const httpStatus = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
      return { status: httpStatus, body: { code: `HTTP.${httpStatus}`, message: (error as Error).message ?? 'the request could not be read' } };
    }
    // Before isDatabaseUnavailable, which counts a full pool's wait as unavailable too (retriable either way).
    if (isPoolExhausted(error)) {
      return {
        status: 503,
        body: { code: DATABASE_OVERLOADED, message: 'no database connection of this service became free in time (all busy, or the database slow to accept new ones); retry later, the request as it is' },
      };
    }
    if (isDatabaseUnavailable(error)) {
      return { status: 503, body: { code: DATABASE_UNAVAILABLE, message: 'the database is unavailable (restarting or unreachable); retry later, the request as it is' } };
    }
    return { status: 500, body: { code: 'INTERNAL.UNEXPECTED', message: 'an unexpected error occurred; it has been logged' } };
  }
}
