import { Controller, Get, Query as QueryParam, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { BUCKETS, VALUE_GROUP_BYS } from '@rework-ledger/domain';
import { ApiKeyGuard, CurrentPrincipal, InvalidParameterError, parseEnumParam, parseTimestampParam, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import { GetValueMetricsQuery } from './get-value-metrics.query';
import { ValueMetricsDocs } from './value-metrics.openapi';

const DEFAULT_PERIOD_DAYS = 90;

@Controller('v1/metrics')
@UseGuards(ApiKeyGuard)
export class ValueMetricsController {
  constructor(private readonly queryBus: QueryBus) {}

  /** Net AI value for [from, to): value of the time saved − cost of rework − spend. */
  @Get('value')
  @RequireScope('read')
  @ValueMetricsDocs()
  async value(@CurrentPrincipal() principal: Principal, @QueryParam() params: Record<string, string | undefined>) {
    const to = parseTimestampParam('to', params['to'], new Date());
    const from = parseTimestampParam('from', params['from'], new Date(to.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000));
    if (from.getTime() >= to.getTime()) throw new InvalidParameterError('from', 'from must be before to');
    const groupBy = parseEnumParam('groupBy', params['groupBy'], VALUE_GROUP_BYS);
    const bucket = parseEnumParam('bucket', params['bucket'], BUCKETS);
    for (const name of ['taskType', 'model', 'employee']) {
      if (params[name] !== undefined) throw new InvalidParameterError(name, `${name} is not a filter of the value metrics (spend has no task type; filters are team and tool)`);
    }
    const filters = { ...(params['team'] ? { team: params['team'] } : {}), ...(params['tool'] ? { tool: params['tool'] } : {}) };
    return this.queryBus.execute(new GetValueMetricsQuery(principal.tenant, from, to, groupBy, bucket, filters, principal.scopes.includes('admin')));
  }
}
