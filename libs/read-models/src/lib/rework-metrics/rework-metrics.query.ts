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
// A constant of the code (never input), written into the SQL as a literal.
const UNSPECIFIED_MODEL_SQL = UNSPECIFIED_MODEL.replace(/'/g, "''");

const GROUP_EXPRESSIONS: Record<ReworkGroupBy, string> = {
  team: 'o.team',
  tool: 'o.tool',
  taskType: 'o.task_type',
  model: `COALESCE(o.model, '${UNSPECIFIED_MODEL_SQL}')`,
  employee: 'o.employee_id',
};

const FILTER_COLUMNS: Record<keyof ReworkMetricsFilters, string> = {
  team: 'o.team',
  tool: 'o.tool',
  taskType: 'o.task_type',
  model: `COALESCE(o.model, '${UNSPECIFIED_MODEL_SQL}')`,
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
  const bucketSql = query.bucket ? `date_trunc('${query.bucket}', o.generated_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'` : 'NULL::timestamptz';

  // Two phases, both hash aggregations that PostgreSQL can run in parallel: per row and employee, then per row
  // (counting employees without a DISTINCT, which would sort every output).
  const sql = `
    WITH saved_by_task AS (SELECT key AS task_type, value::float8 AS minutes FROM jsonb_each_text($5::jsonb)),
    per_employee AS (
      SELECT ${groupSql} AS "group", ${bucketSql} AS bucket, ${subgroupSql} AS subgroups, o.employee_id,
             count(*) AS outputs,
             count(*) FILTER (WHERE o.corrections + o.rewrites + o.discards > 0) AS reworked_outputs,
             count(*) FILTER (WHERE o.double_checks > 0) AS double_checked_outputs,
             sum(o.corrections) AS corrections, sum(o.rewrites) AS rewrites,
             sum(o.double_checks) AS double_checks, sum(o.discards) AS discards,
             sum(o.correction_minutes + o.rewrite_minutes + o.double_check_minutes + o.discard_minutes) AS rework_minutes,
             sum(o.lost_cost_known + o.unknown_cost_minutes / 60.0 * $4::float8) AS lost_cost,
             sum(COALESCE(o.minutes_saved_estimate, saved_by_task.minutes, 0)) AS saved_minutes
        FROM "${schema}".outputs o
        LEFT JOIN saved_by_task ON saved_by_task.task_type = o.task_type
       WHERE o.tenant = $1 AND o.generated AND o.generated_at >= $2 AND o.generated_at < $3
         ${filterSql.map((condition) => `AND ${condition}`).join(' ')}
       GROUP BY 1, 2, 3, 4
    )
    SELECT "group", bucket, subgroups,
           sum(outputs)::int AS outputs,
           sum(reworked_outputs)::int AS reworked_outputs,
           sum(double_checked_outputs)::int AS double_checked_outputs,
           sum(corrections)::int AS corrections,
           sum(rewrites)::int AS rewrites,
           sum(double_checks)::int AS double_checks,
           sum(discards)::int AS discards,
           sum(rework_minutes)::float8 AS rework_minutes,
           sum(lost_cost)::float8 AS lost_cost,
           sum(saved_minutes)::float8 AS saved_minutes,
           count(*)::int AS employees,
           CASE WHEN count(*) < $6 THEN array_agg(employee_id ORDER BY employee_id) END AS employee_ids
      FROM per_employee
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
