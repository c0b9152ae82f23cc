import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthError } from '@rework-ledger/http-kit';
import { API_KEYS, type ApiKeys, type Principal, type Scope, scopeSatisfies } from '@rework-ledger/tenancy';

const ANY_OF_SCOPES = 'rework-ledger:operations-any-of-scopes';

/**
 * The scopes of which a route of operations needs one: a tenant's scope (its own status, its own re-projection) or
 * `operator` (every tenant, the platform). `operator` implies no tenant scope and is implied by none, so a route open
 * to both names both.
 */
export const RequireAnyScope = (...scopes: Scope[]) => SetMetadata(ANY_OF_SCOPES, scopes);

/** As ApiKeyGuard (same key headers, same errors), for routes that take one of several scopes. */
@Injectable()
export class OperationsAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly apiKeys: ApiKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(ANY_OF_SCOPES, [context.getHandler(), context.getClass()]);
    if (!scopes) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const key = readApiKey(request.headers);
    if (!key) throw new AuthError('AUTH.MISSING_API_KEY', 'an API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key"', 401);
    const principal = await this.apiKeys.authenticate(key);
    if (!principal) throw new AuthError('AUTH.INVALID_API_KEY', 'the API key is not valid', 401);
    if (!scopes.some((scope) => scopeSatisfies(principal.scopes, scope))) {
      throw new AuthError('AUTH.MISSING_SCOPE', `this API key lacks one of the scopes ${scopes.map((s) => `"${s}"`).join(', ')}`, 403);
    }
    request.principal = principal;
    return true;
  }
}

function readApiKey(headers: Record<string, string | undefined>): string | undefined {
  const authorization = headers['authorization'];
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice('bearer '.length).trim() || undefined;
  return headers['x-api-key']?.trim() || undefined;
}
