import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LedgerError } from '@rework-ledger/domain';
import { API_KEYS, type ApiKeys, type Principal, type Scope, scopeSatisfies } from '@rework-ledger/tenancy';
import { BASIC_AUTH, REQUIRED_SCOPE } from './route-metadata';

export class AuthError extends LedgerError {
  constructor(
    code: 'AUTH.MISSING_API_KEY' | 'AUTH.INVALID_API_KEY' | 'AUTH.MISSING_SCOPE',
    message: string,
    readonly status: 401 | 403,
    /** The `WWW-Authenticate` challenge of a 401 on a route that takes Basic (a client that waits for it then sends). */
    readonly challenge?: string,
  ) {
    super(code, message);
  }
}

const BASIC_CHALLENGE = 'Basic realm="Rework Ledger", charset="UTF-8"';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** How a route takes its key: always Bearer and X-API-Key; `basic` adds HTTP Basic (the key as password). */
export type KeyOptions = Readonly<{ basic?: boolean }>;

/**
 * The API key of a request: `Authorization: Bearer <key>` or `X-API-Key`; on routes that take it (xAPI: what LMS and
 * LRS-forwarding screens ask for is a user name and a password), `Authorization: Basic` with the key as the password,
 * whatever the user name (the key's id is a natural one, but nothing checks it: the key alone is the secret).
 */
export function readApiKey(headers: Headers, options: KeyOptions = {}): string | undefined {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') {
    const [scheme, credentials = ''] = authorization.trim().split(/\s+/, 2);
    if (scheme.toLowerCase() === 'bearer') return credentials || undefined;
    if (options.basic && scheme.toLowerCase() === 'basic') return basicPassword(credentials);
  }
  const header = headers['x-api-key'];
  return (typeof header === 'string' ? header.trim() : undefined) || undefined;
}

/** The password of Basic credentials (`base64(user:password)`, RFC 7617); undefined when there is none. */
function basicPassword(credentials: string): string | undefined {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1).trim() || undefined;
}

/** Throws AuthError 403 unless the principal's scopes satisfy one of `scopes`. */
export function checkScope(principal: Principal, scopes: readonly Scope[]): void {
  if (scopes.some((scope) => scopeSatisfies(principal.scopes, scope))) return;
  const message = scopes.length === 1 ? `this API key lacks the "${scopes[0]}" scope` : `this API key lacks one of the scopes ${scopes.map((s) => `"${s}"`).join(', ')}`;
  throw new AuthError('AUTH.MISSING_SCOPE', message, 403);
}

/** The scopes a route's metadata names (one of which its key needs); undefined for a public route. */
export function requiredScopes(metadata: Scope | readonly Scope[] | undefined): readonly Scope[] | undefined {
  if (metadata === undefined) return undefined;
  return typeof metadata === 'string' ? [metadata] : metadata;
}

/** The principal of a request's key, or AuthError: 401 without a key or with an invalid one. */
export async function authenticateRequest(apiKeys: ApiKeys, headers: Headers, options: KeyOptions = {}): Promise<Principal> {
  const key = readApiKey(headers, options);
  if (!key) {
    const ways = options.basic ? '"Authorization: Basic" (the key as the password), "Authorization: Bearer <key>" or "X-API-Key"' : '"Authorization: Bearer <key>" or "X-API-Key"';
    throw new AuthError('AUTH.MISSING_API_KEY', `an API key is required: send it as ${ways}`, 401, options.basic ? BASIC_CHALLENGE : undefined);
  }
  const principal = await apiKeys.authenticate(key);
  if (!principal) throw new AuthError('AUTH.INVALID_API_KEY', 'the API key is not valid', 401, options.basic ? BASIC_CHALLENGE : undefined);
  return principal;
}

/**
 * Checks the route's scope. The request gate (request-gate.ts) has usually authenticated the key before the body was
 * read and left the principal on the request; otherwise (a route outside the gate) the key is read here.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly apiKeys: ApiKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const scopes = requiredScopes(this.reflector.getAllAndOverride<readonly Scope[] | undefined>(REQUIRED_SCOPE, targets));
    if (!scopes) return true;
    const request = context.switchToHttp().getRequest<{ headers: Headers; principal?: Principal }>();
    const basic = this.reflector.getAllAndOverride<boolean | undefined>(BASIC_AUTH, targets) === true;
    const principal = request.principal ?? (await authenticateRequest(this.apiKeys, request.headers, { basic }));
    checkScope(principal, scopes);
    request.principal = principal;
    return true;
  }
}
