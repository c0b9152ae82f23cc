import { Controller, Get, Query as QueryParam, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { BUCKETS, USAGE_GROUP_BYS } from '@rework-ledger/domain';
import { ApiKeyGuard, AuthError, CurrentPrincipal, InvalidParameterError, parseEnumParam, parseTimestampParam, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import { GetUsageMetricsQuery } from './get-usage-metrics.query';
import { UsageMetricsDocs } from './usage-metrics.openapi';

const DEFAULT_PERIOD_DAYS = 90;

@Controller('v1/metrics')
@UseGuards(ApiKeyGuard)
export class UsageMetricsController {
  constructor(private readonly queryBus: QueryBus) {}

  /** AI adoption and spend (`ai.usage.recorded`) for the usage days in [from, to): active users, activity, tokens, spend. */
  @Get('usage')
  @RequireScope('read')
  @UsageMetricsDocs()
  async usage(@CurrentPrincipal() principal: Principal, @QueryParam() params: Record<string, string | undefined>) {
    const to = parseTimestampParam('to', params['to'], new Date());
    const from = parseTimestampParam('from', params['from'], new Date(to.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000));
    if (from.getTime() >= to.getTime()) throw new InvalidParameterError('from', 'from must be before to');
    const groupBy = parseEnumParam('groupBy', params['groupBy'], USAGE_GROUP_BYS);
    const bucket = parseEnumParam('bucket', params['bucket'], BUCKETS);
    if (params['taskType'] !== undefined) throw new InvalidParameterError('taskType', 'usage has no task type: taskType is not a filter of usage metrics');
    if (params['employee'] !== undefined && !principal.scopes.includes('admin')) {
      throw new AuthError('AUTH.MISSING_SCOPE', 'filtering by employee needs the "admin" scope', 403);
    }
    const filters = {
      ...(params['team'] ? { team: params['team'] } : {}),
      ...(params['tool'] ? { tool: params['tool'] } : {}),
      ...(params['model'] ? { model: params['model'] } : {}),
      ...(params['employee'] ? { employee: params['employee'] } : {}),
    };
    return this.queryBus.execute(new GetUsageMetricsQuery(principal.tenant, from, to, groupBy, bucket, filters, principal.scopes.includes('admin')));
  }
}
