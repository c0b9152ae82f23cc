import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LedgerError } from '@rework-ledger/domain';
import { API_KEYS, type ApiKeys, type Principal, type Scope, scopeSatisfies } from '@rework-ledger/tenancy';
import { REQUIRED_SCOPE } from './route-metadata';

export class AuthError extends LedgerError {
  constructor(
    code: 'AUTH.MISSING_API_KEY' | 'AUTH.INVALID_API_KEY' | 'AUTH.MISSING_SCOPE',
    message: string,
    readonly status: 401 | 403,
  ) {
    super(code, message);
  }
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The API key of a request: `Authorization: Bearer <key>` or `X-API-Key`. */
export function readApiKey(headers: Headers): string | undefined {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) return authorization.slice('bearer '.length).trim() || undefined;
  const header = headers['x-api-key'];
  return (typeof header === 'string' ? header.trim() : undefined) || undefined;
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
export async function authenticateRequest(apiKeys: ApiKeys, headers: Headers): Promise<Principal> {
  const key = readApiKey(headers);
  if (!key) throw new AuthError('AUTH.MISSING_API_KEY', 'an API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key"', 401);
  const principal = await apiKeys.authenticate(key);
  if (!principal) throw new AuthError('AUTH.INVALID_API_KEY', 'the API key is not valid', 401);
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
    const scopes = requiredScopes(this.reflector.getAllAndOverride<readonly Scope[] | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]));
    if (!scopes) return true;
    const request = context.switchToHttp().getRequest<{ headers: Headers; principal?: Principal }>();
    const principal = request.principal ?? (await authenticateRequest(this.apiKeys, request.headers));
    checkScope(principal, scopes);
    request.principal = principal;
    return true;
  }
}
