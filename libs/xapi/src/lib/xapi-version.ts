import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { RequestError } from '@rework-ledger/ingestion';
import type { NextFunction, Request, Response } from 'express';

/** The xAPI versions this LRS speaks (the latest patch of each), as GET /about lists them. */
export const XAPI_VERSIONS = ['1.0.3', '2.0.0'] as const;
export type XapiVersion = (typeof XAPI_VERSIONS)[number];
const LATEST_VERSION: XapiVersion = '2.0.0';
export const XAPI_VERSION_HEADER = 'X-Experience-API-Version';

/**
 * The version a request speaks: 1.0.x as 1.0.3, 2.0.x as 2.0.0; undefined for any other value (xAPI: the LRS rejects
 * it) and for none.
 */
export function requestVersion(header: unknown): XapiVersion | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  if (/^1\.0(\.\d+)?$/.test(value)) return '1.0.3';
  if (/^2\.0(\.\d+)?$/.test(value)) return '2.0.0';
  return undefined;
}

/**
 * Every xAPI answer, errors included (those of the request gate too: mounted before it), carries
 * `X-Experience-API-Version`: the version the request spoke, else the latest this LRS speaks (xAPI 2.0 4.1.2).
 */
export function xapiVersionHeader(request: Request, response: Response, next: NextFunction): void {
  response.setHeader(XAPI_VERSION_HEADER, requestVersion(request.headers[XAPI_VERSION_HEADER.toLowerCase()]) ?? LATEST_VERSION);
  // A read of statements says up to when its answer is complete, whatever the answer (xAPI 1.0.3 Communication 2.1.3):
  // this LRS stores synchronously, so up to now.
  if ((request.method === 'GET' || request.method === 'HEAD') && /\/statements\/?$/i.test(request.path)) {
    response.setHeader(CONSISTENT_THROUGH_HEADER, new Date().toISOString());
  }
  next();
}

export const CONSISTENT_THROUGH_HEADER = 'X-Experience-API-Consistent-Through';

/**
 * A request without the header, or naming a version this LRS does not speak, is a 400 (xAPI 1.0.3 Communication 3.3,
 * 2.0 4.1.2); checked after the key (a guard after ApiKeyGuard), so that a caller without a key learns only that. The
 * About resource, which a client reads to learn the versions, does not need it.
 */
@Injectable()
export class XapiVersionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers[XAPI_VERSION_HEADER.toLowerCase()];
    if (requestVersion(header) !== undefined) return true;
    const message =
      header === undefined
        ? `${XAPI_VERSION_HEADER} is required: this LRS speaks xAPI ${XAPI_VERSIONS.join(' and ')}`
        : `this LRS speaks xAPI ${XAPI_VERSIONS.join(' and ')}; ${XAPI_VERSION_HEADER} was "${String(header)}"`;
    throw new RequestError('XAPI.UNSUPPORTED_VERSION', message, 400, XAPI_VERSION_HEADER);
  }
}
