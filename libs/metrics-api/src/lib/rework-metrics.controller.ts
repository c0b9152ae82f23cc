import { Controller, Get, Query as QueryParam, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { BUCKETS, REWORK_GROUP_BYS, TASK_TYPES } from '@rework-ledger/domain';
import { ApiKeyGuard, AuthError, CurrentPrincipal, InvalidParameterError, parseEnumParam, parseTimestampParam, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import { GetReworkMetricsQuery } from './get-rework-metrics.query';
import { ReworkMetricsDocs } from './rework-metrics.openapi';

const DEFAULT_PERIOD_DAYS = 90;

@Controller('v1/metrics')
@UseGuards(ApiKeyGuard)
export class ReworkMetricsController {
  constructor(private readonly queryBus: QueryBus) {}

  /** Rework rate, lost hours and cost, and AI time saved, for outputs generated in [from, to). */
  @Get('rework')
  @RequireScope('read')
  @ReworkMetricsDocs()
  async rework(@CurrentPrincipal() principal: Principal, @QueryParam() params: Record<string, string | undefined>) {
    const to = parseTimestampParam('to', params['to'], new Date());
    const from = parseTimestampParam('from', params['from'], new Date(to.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000));
    if (from.getTime() >= to.getTime()) throw new InvalidParameterError('from', 'from must be before to');
    const groupBy = parseEnumParam('groupBy', params['groupBy'], REWORK_GROUP_BYS);
    const bucket = parseEnumParam('bucket', params['bucket'], BUCKETS);
    const taskType = parseEnumParam('taskType', params['taskType'], TASK_TYPES);
    const employeeLevel = groupBy === 'employee' || params['employee'] !== undefined;
    if (employeeLevel && !principal.scopes.includes('admin')) {
      throw new AuthError('AUTH.MISSING_SCOPE', 'grouping or filtering by employee needs the "admin" scope', 403);
    }
    const filters = {
      ...(params['team'] ? { team: params['team'] } : {}),
      ...(params['tool'] ? { tool: params['tool'] } : {}),
      ...(taskType ? { taskType } : {}),
      ...(params['model'] ? { model: params['model'] } : {}),
      ...(params['employee'] ? { employee: params['employee'] } : {}),
    };
    return this.queryBus.execute(new GetReworkMetricsQuery(principal.tenant, from, to, groupBy, bucket, filters, principal.scopes.includes('admin')));
  }
}
