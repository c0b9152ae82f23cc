import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type Bucket, METRIC_VERSION, type ValueGroupBy } from '@rework-ledger/domain';
import { queryProtectedValueMetrics, queryValueMetrics, type ValueRow } from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';

export type ValueMetricsResponse = {
  metricVersion: string;
  from: string;
  to: string;
  groupBy: ValueGroupBy | null;
  bucket: Bucket | null;
  /** The tenant's currency: of every figure of the rows but `spendInOtherCurrencies`. */
  currency: string;
  rows: ValueRow[];
  /** Non-admin callers only (null when nothing was withheld): how many rows the rework or the usage protected tables withheld. */
  suppressed: { rows: number } | null;
};

/** Net AI value of one tenant for [from, to): the rework metrics' saved value and lost cost, and the usage spend. */
export class GetValueMetricsQuery extends Query<ValueMetricsResponse> {
  constructor(
    readonly tenant: string,
    readonly from: Date,
    readonly to: Date,
    readonly groupBy: ValueGroupBy | undefined,
    readonly bucket: Bucket | undefined,
    readonly filters: Readonly<{ team?: string; tool?: string }>,
    /** Callers with the admin scope get exact answers; others get answers from both protected tables (privacy v2). */
    readonly seesSmallGroups: boolean,
  ) {
    super();
  }
}

@QueryHandler(GetValueMetricsQuery)
export class GetValueMetricsHandler implements IQueryHandler<GetValueMetricsQuery, ValueMetricsResponse> {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(TENANT_SETTINGS) private readonly tenantSettings: TenantSettingsStore,
  ) {}

  async execute(query: GetValueMetricsQuery): Promise<ValueMetricsResponse> {
    const settings = await this.tenantSettings.get(query.tenant);
    const valueQuery = {
      tenant: query.tenant,
      from: query.from,
      to: query.to,
      groupBy: query.groupBy,
      bucket: query.bucket,
      filters: query.filters,
      currency: settings.currency,
      defaultHourlyCost: settings.defaultHourlyCost,
      defaultMinutesSavedByTaskType: settings.minutesSavedByTaskType,
      privacyMinGroupSize: settings.privacyMinGroupSize,
      seatCosts: settings.seatCosts,
    };
    const answer = query.seesSmallGroups ? await queryValueMetrics(this.dataSource, valueQuery) : await queryProtectedValueMetrics(this.dataSource, valueQuery);
    return {
      metricVersion: METRIC_VERSION,
      from: answer.from.toISOString(),
      to: answer.to.toISOString(),
      groupBy: query.groupBy ?? null,
      bucket: answer.bucket ?? null,
      currency: settings.currency,
      rows: answer.rows,
      suppressed: answer.withheldRows > 0 ? { rows: answer.withheldRows } : null,
    };
  }
}
