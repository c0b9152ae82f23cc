import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type Bucket, METRIC_VERSION, type ReworkGroupBy, suppressSmallGroups } from '@rework-ledger/domain';
import { queryReworkMetrics, type ReworkMetricsFilters, type ReworkMetricsRow, sumReworkMetricsRows } from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';

type InternalFields = 'employees' | 'employeeIds' | 'doubleCheckedOutputs' | 'subgroups';
export type ReworkMetricsAnswerRow = Omit<ReworkMetricsRow, InternalFields>;
type Metrics = Omit<ReworkMetricsAnswerRow, 'group' | 'bucket'>;

export type ReworkMetricsResponse = {
  metricVersion: string;
  from: string;
  to: string;
  groupBy: ReworkGroupBy | null;
  bucket: Bucket | null;
  currency: string;
  rows: ReworkMetricsAnswerRow[];
  /**
   * Rows covering fewer than k employees, summed (non-admin callers only; null when nothing was suppressed). Every
   * figure is null when even the sum covers fewer than k employees.
   */
  suppressed: (Metrics & { rows: number }) | ({ [K in keyof Metrics]: null } & { rows: number }) | null;
};

const publicRow = ({ employees: _e, employeeIds: _ids, doubleCheckedOutputs: _d, subgroups: _s, ...row }: ReworkMetricsRow): ReworkMetricsAnswerRow => row;

/** Rework metrics (v1) of one tenant for outputs generated in [from, to). */
export class GetReworkMetricsQuery extends Query<ReworkMetricsResponse> {
  constructor(
    readonly tenant: string,
    readonly from: Date,
    readonly to: Date,
    readonly groupBy: ReworkGroupBy | undefined,
    readonly bucket: Bucket | undefined,
    readonly filters: ReworkMetricsFilters,
    /** Callers with the admin scope see small groups; others get them summed into `suppressed`. */
    readonly seesSmallGroups: boolean,
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
      privacyMinGroupSize: settings.privacyMinGroupSize,
    });
    const answer = {
      metricVersion: METRIC_VERSION,
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      groupBy: query.groupBy ?? null,
      bucket: query.bucket ?? null,
      currency: settings.currency,
    };
    if (query.seesSmallGroups) return { ...answer, rows: rows.map(publicRow), suppressed: null };
    const { visible, suppressed, remainderTooSmall } = suppressSmallGroups(rows, settings.privacyMinGroupSize);
    if (suppressed.length === 0) return { ...answer, rows: visible.map(publicRow), suppressed: null };
    const { group: _group, bucket: _bucket, ...sum } = publicRow(sumReworkMetricsRows(suppressed));
    const withheld = Object.fromEntries(Object.keys(sum).map((key) => [key, null])) as { [K in keyof Metrics]: null };
    return { ...answer, rows: visible.map(publicRow), suppressed: { ...(remainderTooSmall ? withheld : sum), rows: suppressed.length } };
  }
}
