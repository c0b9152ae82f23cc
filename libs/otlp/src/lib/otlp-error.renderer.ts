import type { ErrorShape } from '@rework-ledger/domain';
import { mediaTypeOf } from '@rework-ledger/http-kit';
import type { Request, Response } from 'express';
import { encodeStatus, OTLP_MEDIA_TYPE } from './otlp-proto';

/** The path prefix of the OTLP/HTTP receiver (OTEL_EXPORTER_OTLP_ENDPOINT=http://host:port/otlp). */
export const OTLP_HTTP_PREFIX = '/otlp';

/** google.rpc.Code of an HTTP status, for the Status body of an error answer. */
const RPC_CODE_BY_STATUS: Readonly<Record<number, number>> = { 400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };
const RPC_UNKNOWN = 2;

const isOtlpRequest = (request: Request) => {
  const path = (request.originalUrl ?? request.url).split('?')[0].toLowerCase();
  return path === OTLP_HTTP_PREFIX || path.startsWith(`${OTLP_HTTP_PREFIX}/`);
};

/**
 * Writes the error answers of OTLP/HTTP routes as the OTLP specification requires: a `google.rpc.Status` in the
 * request's encoding (protobuf for `application/x-protobuf`, else JSON), the status and headers as decided. True when
 * it answered (an OTLP route), false to leave the answer to the one error shape.
 */
export function renderOtlpError(request: Request, response: Response, status: number, error: ErrorShape): boolean {
  if (!isOtlpRequest(request)) return false;
  const encoding = mediaTypeOf(request) === OTLP_MEDIA_TYPE.protobuf ? 'protobuf' : 'json';
  const body = encodeStatus({ code: RPC_CODE_BY_STATUS[status] ?? RPC_UNKNOWN, message: `${error.code}: ${error.message}` }, encoding);
  response.status(status).type(OTLP_MEDIA_TYPE[encoding]).send(body);
  return true;
}
