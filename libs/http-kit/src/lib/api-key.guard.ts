import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LedgerError } from '@rework-ledger/domain';
import { API_KEYS, type ApiKeys, type Principal, type Scope, scopeSatisfies } from '@rework-ledger/tenancy';

const REQUIRED_SCOPE = 'rework-ledger:required-scope';

/** The scope a route needs; routes without it are public. */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

export class AuthError extends LedgerError {
  constructor(
    code: 'AUTH.MISSING_API_KEY' | 'AUTH.INVALID_API_KEY' | 'AUTH.MISSING_SCOPE',
    message: string,
    readonly status: 401 | 403,
  ) {
    super(code, message);
  }
}

/** Reads the API key (`Authorization: Bearer <key>` or `X-API-Key`) and checks the route's scope. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly apiKeys: ApiKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (!scope) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const key = readApiKey(request.headers);
    if (!key) throw new AuthError('AUTH.MISSING_API_KEY', 'an API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key"', 401);
    const principal = await this.apiKeys.authenticate(key);
    if (!principal) throw new AuthError('AUTH.INVALID_API_KEY', 'the API key is not valid', 401);
    if (!scopeSatisfies(principal.scopes, scope)) {
      throw new AuthError('AUTH.MISSING_SCOPE', `this API key lacks the "${scope}" scope`, 403);
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
