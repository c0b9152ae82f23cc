import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { LedgerError } from '@rework-ledger/domain';
import { createHash, timingSafeEqual } from 'node:crypto';

/** The token GET /metrics requires (METRICS_TOKEN): `{ token }`, or `{}` when /metrics is open. */
export const METRICS_TOKEN = Symbol('MetricsToken');
export type MetricsTokenOption = Readonly<{ token?: string }>;

export class MetricsTokenError extends LedgerError {
  readonly status = 401;
  constructor() {
    super('AUTH.INVALID_METRICS_TOKEN', 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"');
  }
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** With a METRICS_TOKEN, only a scraper that sends it as a bearer token reads /metrics (compared in constant time). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Optional() @Inject(METRICS_TOKEN) private readonly option?: MetricsTokenOption) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.option?.token;
    if (!expected) return true;
    const authorization = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['authorization'] ?? '';
    const given = authorization.toLowerCase().startsWith('bearer ') ? authorization.slice('bearer '.length).trim() : '';
    if (!timingSafeEqual(digest(given), digest(expected))) throw new MetricsTokenError();
    return true;
  }
}
