import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AuthError } from '@rework-ledger/http-kit';
import { type Bucket, METRIC_VERSION, type UsageGroupBy } from '@rework-ledger/domain';
import { queryProtectedUsageMetrics, queryUsageMetrics, type Spend, type UsageFilters, type UsageMetricsRow } from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';

export type UsageMetricsAnswerRow = Omit<UsageMetricsRow, 'employeeIds'>;
type Figures = Omit<UsageMetricsAnswerRow, 'group' | 'bucket'>;

export type UsageMetricsResponse = {
  metricVersion: string;
  from: string;
  to: string;
  groupBy: UsageGroupBy | null;
  bucket: Bucket | null;
  /** The tenant's currency (of rework costs); spend is per currency as recorded. */
  currency: string;
  rows: UsageMetricsAnswerRow[];
  /** As for rework: the withheld cells of the protected tables (non-admin callers), summed when that is safe. */
  suppressed: (Figures & { rows: number }) | ({ [K in keyof Figures]: null } & { rows: number; reason: string }) | null;
};

const USAGE_FIGURE_NAMES = ['activeUsers', 'requests', 'suggestions', 'acceptances', 'acceptanceRate', 'linesSuggested', 'linesAccepted', 'inputTokens', 'outputTokens', 'spend', 'credits'] as const;

/** A row as answered: its figures in a fixed order, without the internal list of its people. */
function publicRow(row: UsageMetricsRow): UsageMetricsAnswerRow {
  return { group: row.group, bucket: row.bucket, ...figuresOf(row) };
}

function figuresOf(row: UsageMetricsRow): Figures {
  return Object.fromEntries(USAGE_FIGURE_NAMES.map((name) => [name, name === 'spend' ? row.spend.map((s: Spend) => ({ ...s })) : row[name]])) as Figures;
}

const withheldFigures = Object.fromEntries(USAGE_FIGURE_NAMES.map((name) => [name, null])) as { [K in keyof Figures]: null };

/** Usage metrics (adoption and spend) of one tenant for the usage days in [from, to). */
export class GetUsageMetricsQuery extends Query<UsageMetricsResponse> {
  constructor(
    readonly tenant: string,
    readonly from: Date,
    readonly to: Date,
    readonly groupBy: UsageGroupBy | undefined,
    readonly bucket: Bucket | undefined,
    readonly filters: UsageFilters & Readonly<{ employee?: string }>,
    /** Callers with the admin scope get exact answers; others get answers from the protected tables (privacy v2). */
    readonly seesSmallGroups: boolean,
  ) {
    super();
  }
}

@QueryHandler(GetUsageMetricsQuery)
export class GetUsageMetricsHandler implements IQueryHandler<GetUsageMetricsQuery, UsageMetricsResponse> {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(TENANT_SETTINGS) private readonly tenantSettings: TenantSettingsStore,
  ) {}

  async execute(query: GetUsageMetricsQuery): Promise<UsageMetricsResponse> {
    const settings = await this.tenantSettings.get(query.tenant);
    const base = { tenant: query.tenant, from: query.from, to: query.to, bucket: query.bucket, privacyMinGroupSize: settings.privacyMinGroupSize, seatCosts: settings.seatCosts };
    const answer = (from: Date, to: Date, bucket: Bucket | undefined) => ({
      metricVersion: METRIC_VERSION,
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: query.groupBy ?? null,
      bucket: bucket ?? null,
      currency: settings.currency,
    });
    if (query.seesSmallGroups) {
      const rows = await queryUsageMetrics(this.dataSource, { ...base, groupBy: query.groupBy, filters: query.filters });
      return { ...answer(query.from, query.to, query.bucket), rows: rows.map(publicRow), suppressed: null };
    }
    if (query.filters.employee !== undefined) throw new AuthError('AUTH.MISSING_SCOPE', 'employee-level answers need the "admin" scope', 403);
    const { employee: _employee, ...filters } = query.filters;
    const protectedAnswer = await queryProtectedUsageMetrics(this.dataSource, { ...base, groupBy: query.groupBy, filters });
    const { suppressed } = protectedAnswer;
    return {
      // Built from whole months: a day or week bucket, or a span of several months, is answered per month (and says so).
      ...answer(protectedAnswer.from, protectedAnswer.to, protectedAnswer.bucket),
      rows: protectedAnswer.rows.map(publicRow),
      suppressed:
        suppressed === null
          ? null
          : suppressed.sum === null
            ? { ...withheldFigures, rows: suppressed.cells, reason: suppressed.reason ?? 'WITHHELD.SMALL_REMAINDER' }
            : { ...figuresOf(suppressed.sum), rows: suppressed.cells },
    };
  }
}
