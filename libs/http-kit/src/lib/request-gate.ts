import { LedgerError } from '@rework-ledger/domain';
import type { ApiKeys, Principal } from '@rework-ledger/tenancy';
import type { NextFunction, Request, Response } from 'express';
import { authenticateRequest, checkScope, readApiKey } from './api-key.guard';
import { InvalidParameterError } from './query-params';
import type { RateLimiter } from './rate-limiter';
import { type Route, routesMatching } from './route-table';

/** 405: the path exists, not with this method; `allow` lists the methods it takes (the Allow header). */
export class MethodNotAllowedError extends LedgerError {
  readonly status = 405;
  constructor(
    method: string,
    readonly allow: readonly string[],
  ) {
    super('REQUEST.METHOD_NOT_ALLOWED', `${method} is not allowed here; this path takes ${allow.join(', ')}`);
  }
}

/** 415: the body's media type is not one the route takes. */
export class UnsupportedMediaTypeError extends LedgerError {
  readonly status = 415;
  constructor(type: string, accepted: readonly string[]) {
    super('REQUEST.UNSUPPORTED_MEDIA_TYPE', `this route does not take ${type} bodies; it takes ${accepted.join(', ')}`, 'content-type');
  }
}

/** What a route takes when it declares nothing: JSON, including the `+json` types (CloudEvents). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'] as const;

export type RequestGateOptions = Readonly<{
  routes: readonly Route[];
  apiKeys: ApiKeys;
  limiter: RateLimiter;
  /** Requests per minute per tenant (else client address) and route: routes that need `ingest`, and all others. 0: none. */
  limits: Readonly<{ ingestPerMinute: number; queryPerMinute: number }>;
}>;

/** The media type of a request's body, lower case without parameters; '' when absent. */
export function mediaTypeOf(request: Request): string {
  return String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function takes(route: Route, type: string): boolean {
  if (route.accepts) return route.accepts.includes('*/*') || route.accepts.includes(type);
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

// C0 controls and DEL: no identifier, filter or date holds one, and PostgreSQL text cannot hold NUL.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** 400 for a query parameter given twice or holding a control character (NUL and the like). */
function checkQuery(query: unknown): void {
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (CONTROL_CHARACTER.test(name)) throw new InvalidParameterError(name.replace(CONTROL_CHARACTER, '?'), 'a query parameter name must not hold control characters');
    if (typeof value !== 'string') throw new InvalidParameterError(name, `${name} must be given once, as a plain value`);
    if (CONTROL_CHARACTER.test(value)) throw new InvalidParameterError(name, `${name} must not hold control characters (such as NUL)`);
  }
}

/**
 * Everything about a request that can be decided from its line and headers, decided before its body is read, in this
 * order: 405 with Allow for a known path and another method; 401/403 for a missing, invalid or insufficient key; 429
 * with Retry-After beyond the rate limit (per tenant, else per client address, and route; failed key look-ups count per
 * address); 400 for a bad query string; 415 for a body type the route does not take (of a write: POST, PUT, PATCH). A refusal closes the connection, so
 * that a body nobody will read is not waited for. Paths no controller declares pass through (404, /docs).
 */
export function createRequestGate(options: RequestGateOptions) {
  const { routes, apiKeys, limiter, limits } = options;

  async function decide(request: Request): Promise<void> {
    const matching = routesMatching(routes, request.path);
    if (matching.length === 0 || request.method === 'OPTIONS') return;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = matching.find((candidate) => candidate.method === method || candidate.method === 'ALL');
    if (!route) {
      const allow = [...new Set(matching.flatMap((candidate) => (candidate.method === 'GET' ? ['GET', 'HEAD'] : [candidate.method])))];
      throw new MethodNotAllowedError(request.method, allow);
    }
    const limit = route.scopes?.includes('ingest') ? limits.ingestPerMinute : limits.queryPerMinute;
    let caller = `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
    if (route.scopes) {
      const failures = `${caller}|invalid-keys`;
      // Too many bad keys from one address stop its look-ups, but never a key already known valid: behind a proxy
      // every client shares the address, and one client's bad keys must not lock the others out.
      const keyOptions = { basic: route.basicAuth === true };
      const key = readApiKey(request.headers, keyOptions);
      if (!(key !== undefined && apiKeys.knownValid?.(key))) limiter.check(failures, limits.queryPerMinute);
      let principal: Principal;
      try {
        principal = await authenticateRequest(apiKeys, request.headers, keyOptions);
      } catch (error) {
        if ((error as LedgerError).code === 'AUTH.INVALID_API_KEY' && limits.queryPerMinute > 0) limiter.count(failures);
        throw error;
      }
      checkScope(principal, route.scopes);
      (request as Request & { principal?: Principal }).principal = principal;
      caller = `tenant:${principal.tenant}`;
    }
    limiter.take(`${caller}|${route.method} ${route.path}`, limit);
    checkQuery(request.query);
    const type = mediaTypeOf(request);
    // A body without Content-Type is read as JSON, as before (binary-mode CloudEvents default to it too).
    // A read's body means nothing (and some clients send a Content-Type with it): only writes are held to their types.
    const reads = method === 'GET' || request.method === 'DELETE';
    if (!reads && hasBody(request) && type !== '' && !takes(route, type)) throw new UnsupportedMediaTypeError(type, route.accepts ?? JSON_MEDIA_TYPES);
  }

  return (request: Request, response: Response, next: NextFunction): void => {
    decide(request).then(
      () => next(),
      (error: unknown) => {
        if (hasBody(request)) response.setHeader('Connection', 'close');
        next(error);
      },
    );
  };
}
