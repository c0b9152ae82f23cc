import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type Bucket, METRIC_VERSION, type ReworkGroupBy } from '@rework-ledger/domain';
import { queryReworkMetrics, type ReworkMetricsFilters, type ReworkMetricsRow } from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';

export type ReworkMetricsResponse = {
  metricVersion: string;
  from: string;
  to: string;
  groupBy: ReworkGroupBy | null;
  bucket: Bucket | null;
  currency: string;
  rows: Omit<ReworkMetricsRow, 'employees'>[];
  suppressed: Omit<ReworkMetricsRow, 'employees' | 'group' | 'bucket'> | null;
};

/** Rework metrics (v1) of one tenant for outputs generated in [from, to). */
export class GetReworkMetricsQuery extends Query<ReworkMetricsResponse> {
  constructor(
    readonly tenant: string,
    readonly from: Date,
    readonly to: Date,
    readonly groupBy: ReworkGroupBy | undefined,
    readonly bucket: Bucket | undefined,
    readonly filters: ReworkMetricsFilters,
  ) {
    super();
  }
}

@QueryHandler(GetReworkMetricsQuery)
export class GetReworkMetricsHandler implements IQueryHandler<GetReworkMetricsQuery, ReworkMetricsResponse> {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(TENANT_SETTINGS) private readonly tenantSettings: TenantSettingsStore,
  ) {}

  async execute(query: GetReworkMetricsQuery): Promise<ReworkMetricsResponse> {
    const settings = await this.tenantSettings.get(query.tenant);
    const rows = await queryReworkMetrics(this.dataSource, {
      tenant: query.tenant,
      from: query.from,
      to: query.to,
      groupBy: query.groupBy,
      bucket: query.bucket,
      filters: query.filters,
      defaultHourlyCost: settings.defaultHourlyCost,
      defaultMinutesSavedByTaskType: settings.minutesSavedByTaskType,
    });
    return {
      metricVersion: METRIC_VERSION,
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      groupBy: query.groupBy ?? null,
      bucket: query.bucket ?? null,
      currency: settings.currency,
      rows: rows.map(({ employees: _employees, ...row }) => row),
      suppressed: null,
    };
  }
}
