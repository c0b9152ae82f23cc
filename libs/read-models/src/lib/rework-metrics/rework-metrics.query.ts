import { type Bucket, rateOrNull, type ReworkGroupBy } from '@rework-ledger/domain';
import type { SqlQueryable } from '../sql-queryable';
import { reworkMetricsProjection } from './rework-metrics.projection';

export type ReworkMetricsFilters = Readonly<{ team?: string; tool?: string; taskType?: string; model?: string; employee?: string }>;

export type ReworkMetricsQuery = Readonly<{
  tenant: string;
  from: Date;
  to: Date;
  groupBy?: ReworkGroupBy;
  /** Further dimensions to group by after `groupBy`; their values come in `subgroups`, in this order. */
  thenBy?: readonly ReworkGroupBy[];
  bucket?: Bucket;
  filters?: ReworkMetricsFilters;
  /** Tenant defaults: hourly cost when the reworker's is unknown; minutes saved per task type when not estimated. */
  defaultHourlyCost: number;
  defaultMinutesSavedByTaskType: Readonly<Record<string, number>>;
  /** Rows covering fewer employees than this also list them (`employeeIds`), for the small-group rule. */
  privacyMinGroupSize: number;
}>;

/** One row of `GET /v1/metrics/rework`, plus the number of distinct employees it covers (for the privacy rule). */
export type ReworkMetricsRow = {
  group: string | null;
  /** Values of the `thenBy` dimensions (internal: the API shows `group` only). */
  subgroups?: string[];
  bucket: string | null;
  outputs: number;
  reworkedOutputs: number;
  reworkRate: number | null;
  doubleCheckRate: number | null;
  corrections: number;
  rewrites: number;
  doubleChecks: number;
  discards: number;
  reworkMinutes: number;
  lostHours: number;
  lostCost: number;
  grossSavedHours: number;
  netSavedHours: number;
  /** Internal: outputs with at least one double-check (the numerator of doubleCheckRate). */
  doubleCheckedOutputs: number;
  /** Internal: distinct employees (authors) the row covers, and who they are when fewer than the privacy k. */
  employees: number;
  employeeIds?: string[];
};

/** Sums rows into one (the `suppressed` remainder), rates recomputed from the sums so that totals reconcile. */
export function sumReworkMetricsRows(rows: readonly ReworkMetricsRow[]): ReworkMetricsRow {
  const total = (field: keyof ReworkMetricsRow) => rows.reduce((sum, row) => sum + (row[field] as number), 0);
  const outputs = total('outputs');
  const lostHours = total('reworkMinutes') / 60;
  const grossSavedHours = total('grossSavedHours');
  return {
    group: null,
    bucket: null,
    outputs,
    reworkedOutputs: total('reworkedOutputs'),
    reworkRate: rateOrNull(total('reworkedOutputs'), outputs),
    doubleCheckRate: rateOrNull(total('doubleCheckedOutputs'), outputs),
    corrections: total('corrections'),
    rewrites: total('rewrites'),
    doubleChecks: total('doubleChecks'),
    discards: total('discards'),
    reworkMinutes: total('reworkMinutes'),
    lostHours,
    lostCost: total('lostCost'),
    grossSavedHours,
    netSavedHours: grossSavedHours - lostHours,
    doubleCheckedOutputs: total('doubleCheckedOutputs'),
    employees: total('employees'),
  };
}

/** The label of an output without a model. */
export const UNSPECIFIED_MODEL = '(unspecified)';

const GROUP_EXPRESSIONS: Record<ReworkGroupBy, string> = {
  team: 'team',
  tool: 'tool',
  taskType: 'task_type',
  model: 'model',
  employee: 'employee_id',
};

const FILTER_COLUMNS: Record<keyof ReworkMetricsFilters, string> = {
  team: 'o.team',
  tool: 'o.tool',
  taskType: 'o.task_type',
  model: 'COALESCE(o.model, $6)',
  employee: 'o.employee_id',
};

/** Computes the rework metrics of PRODUCT.md (v1) for outputs generated in [from, to), grouped and bucketed. */
export async function queryReworkMetrics(db: SqlQueryable, query: ReworkMetricsQuery): Promise<ReworkMetricsRow[]> {
  const schema = reworkMetricsProjection.schema;
  const parameters: unknown[] = [
    query.tenant,
    query.from.toISOString(),
    query.to.toISOString(),
    query.defaultHourlyCost,
    JSON.stringify(query.defaultMinutesSavedByTaskType),
    UNSPECIFIED_MODEL,
    query.privacyMinGroupSize,
  ];
  const filterSql: string[] = [];
  for (const [name, value] of Object.entries(query.filters ?? {}) as [keyof ReworkMetricsFilters, string | undefined][]) {
    if (value === undefined) continue;
    parameters.push(value);
    filterSql.push(`${FILTER_COLUMNS[name]} = $${parameters.length}`);
  }
  const groupSql = query.groupBy ? GROUP_EXPRESSIONS[query.groupBy] : 'NULL::text';
  const thenBy = query.groupBy ? (query.thenBy ?? []) : [];
  const subgroupSql = thenBy.length > 0 ? `ARRAY[${thenBy.map((dimension) => GROUP_EXPRESSIONS[dimension]).join(', ')}]` : 'NULL::text[]';
  const bucketSql = query.bucket ? `date_trunc('${query.bucket}', generated_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'` : 'NULL::timestamptz';

  const sql = `
    WITH scoped AS (
      SELECT o.output_id, o.employee_id, o.tool, o.task_type, o.generated_at, o.team,
             COALESCE(o.model, $6) AS model,
             o.corrections, o.rewrites, o.double_checks, o.discards,
             o.correction_minutes + o.rewrite_minutes + o.double_check_minutes + o.discard_minutes AS rework_minutes,
             o.lost_cost_known + o.unknown_cost_minutes / 60.0 * $4::float8 AS lost_cost,
             COALESCE(o.minutes_saved_estimate, ($5::jsonb ->> o.task_type)::float8, 0) AS saved_minutes
        FROM "${schema}".outputs o
       WHERE o.tenant = $1 AND o.generated AND o.generated_at >= $2 AND o.generated_at < $3
         ${filterSql.map((condition) => `AND ${condition}`).join(' ')}
    )
    SELECT ${groupSql} AS "group", ${bucketSql} AS bucket, ${subgroupSql} AS subgroups,
           count(*)::int AS outputs,
           count(*) FILTER (WHERE corrections + rewrites + discards > 0)::int AS reworked_outputs,
           count(*) FILTER (WHERE double_checks > 0)::int AS double_checked_outputs,
           COALESCE(sum(corrections), 0)::int AS corrections,
           COALESCE(sum(rewrites), 0)::int AS rewrites,
           COALESCE(sum(double_checks), 0)::int AS double_checks,
           COALESCE(sum(discards), 0)::int AS discards,
           COALESCE(sum(rework_minutes), 0)::float8 AS rework_minutes,
           COALESCE(sum(lost_cost), 0)::float8 AS lost_cost,
           COALESCE(sum(saved_minutes), 0)::float8 AS saved_minutes,
           count(DISTINCT employee_id)::int AS employees,
           CASE WHEN count(DISTINCT employee_id) < $7 THEN array_agg(DISTINCT employee_id) END AS employee_ids
      FROM scoped
     GROUP BY 1, 2, 3
     ORDER BY 2 NULLS FIRST, 1 NULLS FIRST, 3 NULLS FIRST`;

  const rows = await db.query<RawRow>(sql, parameters);
  return rows.map(toMetricsRow);
}

type RawRow = {
  group: string | null;
  subgroups: string[] | null;
  bucket: Date | string | null;
  outputs: number;
  reworked_outputs: number;
  double_checked_outputs: number;
  corrections: number;
  rewrites: number;
  double_checks: number;
  discards: number;
  rework_minutes: number;
  lost_cost: number;
  saved_minutes: number;
  employees: number;
  employee_ids: string[] | null;
};

function toMetricsRow(row: RawRow): ReworkMetricsRow {
  const lostHours = row.rework_minutes / 60;
  const grossSavedHours = row.saved_minutes / 60;
  return {
    group: row.group,
    ...(row.subgroups ? { subgroups: row.subgroups } : {}),
    bucket: row.bucket === null ? null : new Date(row.bucket).toISOString(),
    outputs: row.outputs,
    reworkedOutputs: row.reworked_outputs,
    reworkRate: rateOrNull(row.reworked_outputs, row.outputs),
    doubleCheckRate: rateOrNull(row.double_checked_outputs, row.outputs),
    corrections: row.corrections,
    rewrites: row.rewrites,
    doubleChecks: row.double_checks,
    discards: row.discards,
    reworkMinutes: row.rework_minutes,
    lostHours,
    lostCost: row.lost_cost,
    grossSavedHours,
    netSavedHours: grossSavedHours - lostHours,
    doubleCheckedOutputs: row.double_checked_outputs,
    employees: row.employees,
    ...(row.employee_ids ? { employeeIds: row.employee_ids } : {}),
  };
}
