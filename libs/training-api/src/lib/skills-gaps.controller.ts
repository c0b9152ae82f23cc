import { Controller, Get, Query as QueryParam, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiKeyGuard, CurrentPrincipal, InvalidParameterError, parseTimestampParam, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import { SkillsGapsDocs } from './training.openapi';
import { GetSkillsGapsQuery } from './training.queries';
import { parseImpactParameters } from './training.controller';

const DEFAULT_PERIOD_DAYS = 90;

@Controller('v1/skills')
@UseGuards(ApiKeyGuard)
export class SkillsGapsController {
  constructor(private readonly queryBus: QueryBus) {}

  /** Teams × task types with rework above the tenant's, and the courses of measured effect their people have not taken. */
  @Get('gaps')
  @RequireScope('read')
  @SkillsGapsDocs()
  async gaps(@CurrentPrincipal() principal: Principal, @QueryParam() params: Record<string, string | undefined>) {
    const now = new Date();
    const to = parseTimestampParam('to', params['to'], now);
    const from = parseTimestampParam('from', params['from'], new Date(to.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000));
    if (from.getTime() >= to.getTime()) throw new InvalidParameterError('from', 'from must be before to');
    const admin = principal.scopes.includes('admin');
    return this.queryBus.execute(new GetSkillsGapsQuery(principal.tenant, from, to, parseImpactParameters(params, now, admin), admin));
  }
}
