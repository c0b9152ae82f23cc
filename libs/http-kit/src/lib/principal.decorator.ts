import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@rework-ledger/tenancy';

/** The authenticated caller, set by {@link ApiKeyGuard}. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ principal: Principal }>().principal;
});
