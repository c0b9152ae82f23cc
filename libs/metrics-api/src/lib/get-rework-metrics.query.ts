import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AuthError } from '@rework-ledger/http-kit';
import { type Bucket, METRIC_VERSION, privacyBucketOf, type ReworkGroupBy } from '@rework-ledger/domain';
import { queryProtectedReworkMetrics, queryReworkMetrics, type ReworkMetricsFilters, type ReworkMetricsRow, type WithheldReason } from '@rework-ledger/read-models';
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
   * Non-admin callers only (null when nothing was withheld): the cells of the protected tables the answer withheld
   * (`rows`: how many), summed. Every figure is null, with a `reason`, when that sum would itself show a small group.
   */
  suppressed: (Metrics & { rows: number }) | ({ [K in keyof Metrics]: null } & { rows: number; reason: WithheldReason }) | null;
};

const figures = (row: ReworkMetricsRow): Metrics => {
  const { group: _group, bucket: _bucket, ...rest } = publicRow(row);
  return rest;
};
const withheldFigures = Object.fromEntries(
  ['outputs', 'reworkedOutputs', 'reworkRate', 'doubleCheckRate', 'corrections', 'rewrites', 'doubleChecks', 'discards', 'reworkMinutes', 'lostHours', 'lostCost', 'grossSavedHours', 'netSavedHours', 'savedValue'].map((key) => [key, null]),
) as { [K in keyof Metrics]: null };

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
    /** Callers with the admin scope get exact answers; others get answers from the protected tables (privacy v2). */
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
    const base = {
      tenant: query.tenant,
      from: query.from,
      to: query.to,
      bucket: query.bucket,
      defaultHourlyCost: settings.defaultHourlyCost,
      defaultMinutesSavedByTaskType: settings.minutesSavedByTaskType,
      privacyMinGroupSize: settings.privacyMinGroupSize,
    };
    const answer = (from: Date, to: Date, bucket = query.bucket) => ({
      metricVersion: METRIC_VERSION,
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: query.groupBy ?? null,
      bucket: bucket ?? null,
      currency: settings.currency,
    });
    if (query.seesSmallGroups) {
      const rows = await queryReworkMetrics(this.dataSource, { ...base, groupBy: query.groupBy, filters: query.filters });
      return { ...answer(query.from, query.to), rows: rows.map(publicRow), suppressed: null };
    }
    if (query.groupBy === 'employee' || query.filters.employee !== undefined) throw new AuthError('AUTH.MISSING_SCOPE', 'employee-level answers need the "admin" scope', 403);
    const { employee: _employee, ...filters } = query.filters;
    const protectedAnswer = await queryProtectedReworkMetrics(this.dataSource, { ...base, groupBy: query.groupBy, filters });
    const { suppressed } = protectedAnswer;
    return {
      // Built from whole months, a day or week bucket is answered per month (and says so).
      ...answer(protectedAnswer.from, protectedAnswer.to, privacyBucketOf(query.bucket)),
      rows: protectedAnswer.rows.map(publicRow),
      suppressed:
        suppressed === null
          ? null
          : suppressed.sum === null
            ? { ...withheldFigures, rows: suppressed.cells, reason: suppressed.reason ?? 'WITHHELD.SMALL_REMAINDER' }
            : { ...figures(suppressed.sum), rows: suppressed.cells },
    };
  }
}
