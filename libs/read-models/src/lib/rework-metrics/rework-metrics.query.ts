import { type Bucket, type CellCoordinates, needsComplementarySuppression, normaliseIdentifier, rateOrNull, type ReworkGroupBy, TASK_TYPES } from '@rework-ledger/domain';
import type { SqlQueryable } from '../sql-queryable';
import { reworkMetricsProjection } from './rework-metrics.projection';
import { EMPLOYEE_SAMPLE_SIZE, EVERY_TASK_TYPE, splitCompositeValue } from './rework-rollups';
import {
  dimensionSql,
  doubleCheckedSql,
  lostCostSql,
  REWORK_KINDS,
  reworkedSql,
  reworkMinutesSql,
  type RollupDimension,
  rollupSumsByTaskTypeOfOutput,
  rollupSumsOfOutput,
  savedMinutesOfCellSql,
  savedMinutesSql,
  savedValueOfCellSql,
  savedValueSql,
} from './rework-rules';

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
  /**
   * 'rollups' (default): the daily rollups where they can answer (see `planOf`), the outputs otherwise; 'outputs':
   * always aggregate the outputs (the reference the rollups are tested and benchmarked against).
   */
  readFrom?: 'rollups' | 'outputs';
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
  /** grossSavedHours priced as lostCost is: each output's at its author's hourly cost at its time, else the tenant default. */
  savedValue: number;
  /** Internal: outputs with at least one double-check (the numerator of doubleCheckRate). */
  doubleCheckedOutputs: number;
  /**
   * Internal: distinct employees (authors) the row covers, and who they are when fewer than the privacy k. From the
   * rollups, a row of EMPLOYEE_SAMPLE_SIZE or more employees says EMPLOYEE_SAMPLE_SIZE ("at least"), unless the
   * small-group rule has to pick the next-smallest row (then every count is exact).
   */
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
    savedValue: total('savedValue'),
    doubleCheckedOutputs: total('doubleCheckedOutputs'),
    employees: total('employees'),
  };
}

/** An output's value of each dimension (grouping and filtering alike). */
const DIMENSION_EXPRESSIONS: Record<ReworkGroupBy, string> = dimensionSql('o');
/** The rollup sums of one output (`o`), as the rollups keep them per cell. */
const OUTPUT_SUMS = rollupSumsOfOutput('o');
/** The same per task type (arrays in TASK_TYPES order in the rollups). */
const OUTPUT_SUMS_BY_TASK_TYPE = rollupSumsByTaskTypeOfOutput('o');

const DAY_MS = 86_400_000;

/** Computes the rework metrics of PRODUCT.md (v1) for outputs generated in [from, to), grouped and bucketed. */
export async function queryReworkMetrics(db: SqlQueryable, query: ReworkMetricsQuery): Promise<ReworkMetricsRow[]> {
  const dimension = query.readFrom === 'outputs' ? null : rollupDimensionFor(query);
  if (dimension === null) return queryOutputs(db, query);
  const rows = await queryRollups(db, query, dimension);
  // Rows of many employees carry a lower bound; the rule's next-smallest row needs them exact.
  return needsComplementarySuppression(rows, query.privacyMinGroupSize) ? queryOutputs(db, query) : rows;
}

/**
 * The rollup dimension that answers a query, or null when only the outputs can: the rollups are per task type and
 * one other dimension, so they answer a grouping by team, tool, task type or model (or none) with filters on that
 * dimension and on task type, for a privacy k up to their employee sample.
 */
function rollupDimensionFor(query: ReworkMetricsQuery): RollupDimension | null {
  if (query.privacyMinGroupSize > EMPLOYEE_SAMPLE_SIZE || (query.thenBy ?? []).length > 0 || query.groupBy === 'employee') return null;
  const filtered = Object.entries(query.filters ?? {})
    .filter(([name, value]) => value !== undefined && name !== 'taskType')
    .map(([name]) => name as ReworkGroupBy);
  const dimensions = new Set<ReworkGroupBy>([...(query.groupBy ? [query.groupBy] : []), ...filtered]);
  if (dimensions.size > 1 || dimensions.has('employee')) return null;
  const [only] = [...dimensions];
  return (only as RollupDimension | undefined) ?? (query.filters?.taskType !== undefined ? 'taskType' : 'all');
}

/**
 * Both reads aggregate the same cell columns; these are the sums over them, and the bucket of a time. Counts as float8:
 * a sum of integers is exact in it up to 2^53 (an int would fail past 2^31 outputs in one answer, and a bigint
 * would come to JavaScript as a string).
 */
const SUMS = `
  sum(outputs)::float8 AS outputs,
  sum(reworked_outputs)::float8 AS reworked_outputs,
  sum(double_checked_outputs)::float8 AS double_checked_outputs,
  sum(corrections)::float8 AS corrections,
  sum(rewrites)::float8 AS rewrites,
  sum(double_checks)::float8 AS double_checks,
  sum(discards)::float8 AS discards,
  sum(rework_minutes)::float8 AS rework_minutes,
  sum(lost_cost)::float8 AS lost_cost,
  sum(saved_minutes)::float8 AS saved_minutes,
  sum(saved_value)::float8 AS saved_value`;

function bucketOf(bucket: Bucket | undefined, time: string): string {
  return bucket ? `date_trunc('${bucket}', ${time} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'` : 'NULL::timestamptz';
}

/**
 * From the daily rollups for the whole UTC days of [from, to), and from the outputs for the part-days at either
 * end; a row's employees are the union of its cells' samples (exact below the sample size).
 */
async function queryRollups(db: SqlQueryable, query: ReworkMetricsQuery, dimension: RollupDimension): Promise<ReworkMetricsRow[]> {
  const schema = reworkMetricsProjection.schema;
  const from = query.from.getTime();
  const to = query.to.getTime();
  const wholeFrom = Math.ceil(from / DAY_MS) * DAY_MS;
  const wholeTo = Math.floor(to / DAY_MS) * DAY_MS;
  const hasWholeDays = wholeFrom < wholeTo;
  // The part-days: [from, wholeFrom) and [wholeTo, to), or all of [from, to) when it holds no whole day.
  const edges = hasWholeDays ? [from, wholeFrom, wholeTo, to] : [from, to, to, to];
  const parameters: unknown[] = [
    query.tenant,
    dimension,
    new Date(hasWholeDays ? wholeFrom : 0).toISOString().slice(0, 10),
    new Date(hasWholeDays ? wholeTo : 0).toISOString().slice(0, 10),
    ...edges.map((ms) => new Date(ms).toISOString()),
    query.defaultHourlyCost,
    TASK_TYPES.map((taskType) => query.defaultMinutesSavedByTaskType[taskType] ?? 0),
    query.privacyMinGroupSize,
    EMPLOYEE_SAMPLE_SIZE,
  ];
  const rollupFilters: string[] = [];
  const outputFilters: string[] = [];
  for (const [name, value] of Object.entries(query.filters ?? {}) as [ReworkGroupBy, string | undefined][]) {
    if (value === undefined) continue;
    parameters.push(value);
    rollupFilters.push(name === 'taskType' ? `r.task_type = $${parameters.length}` : `r.value = $${parameters.length}`);
    outputFilters.push(`${DIMENSION_EXPRESSIONS[name]} = $${parameters.length}`);
  }
  if (query.filters?.taskType === undefined) rollupFilters.push(`r.task_type = '${EVERY_TASK_TYPE}'`);
  // Rows are told apart by group and bucket where there are any (never null then): equality joins, hashed.
  const sameRow = (a: string, b: string) =>
    [...(query.groupBy ? [`${a}."group" = ${b}."group"`] : []), ...(query.bucket ? [`${a}.bucket = ${b}.bucket`] : []), 'true'].join(' AND ');
  const groupOfRollup = query.groupBy ? 'r.value' : 'NULL::text';
  const groupOfOutput = query.groupBy ? DIMENSION_EXPRESSIONS[query.groupBy] : 'NULL::text';

  const rollupRange = `r.tenant = $1 AND r.dimension = $2 AND r.day >= $3::date AND r.day < $4::date
         ${rollupFilters.map((condition) => `AND ${condition}`).join(' ')}`;
  const outputRange = `o.tenant = $1 AND o.generated
         AND ((o.generated_at >= $5 AND o.generated_at < $6) OR (o.generated_at >= $7 AND o.generated_at < $8))
         ${outputFilters.map((condition) => `AND ${condition}`).join(' ')}`;
  // Buckets as UTC wall-clock timestamps while aggregating (cheap on a day), as instants in the answer.
  const rollupBucket = query.bucket ? `date_trunc('${query.bucket}', r.day::timestamp)` : 'NULL::timestamp';
  const outputBucket = query.bucket ? `date_trunc('${query.bucket}', o.generated_at AT TIME ZONE 'UTC')` : 'NULL::timestamp';
  // The cells of row g (for its samples): its group's value, the days of its bucket.
  const rollupCellsOf = (g: string) =>
    [
      ...(query.groupBy ? [`r.value = ${g}."group"`] : []),
      ...(query.bucket
        ? [`r.day >= ${g}.bucket::date`, `r.day < (${g}.bucket + interval '1 ${query.bucket}')::date`]
        : []),
    ].map((condition) => `AND ${condition}`).join(' ');
  const outputsOf = (g: string) =>
    [...(query.groupBy ? [`${groupOfOutput} = ${g}."group"`] : []), ...(query.bucket ? [`${outputBucket} = ${g}.bucket`] : [])]
      .map((condition) => `AND ${condition}`)
      .join(' ');

  // The sums first, with whether any cell of a row holds a full sample ("many" employees); the samples are read
  // only for the other rows (usually none), cell by cell, to count their employees exactly.
  const sql = `
    WITH cells AS (
      SELECT ${groupOfRollup} AS "group", ${rollupBucket} AS bucket,
             ${OUTPUT_SUMS.map((sum) => `r.${sum.column}${sum.type === 'numeric' ? '::float8' : ''}`).join(', ')},
             ${OUTPUT_SUMS_BY_TASK_TYPE.map((sum) => `r.${sum.column}${sum.type === 'numeric' ? '::float8[]' : ''}`).join(', ')}, r.sample_size
        FROM "${schema}".daily_rollup r WHERE ${rollupRange}
      UNION ALL
      SELECT ${groupOfOutput}, ${outputBucket},
             ${OUTPUT_SUMS.map((sum) => sum.sql).join(', ')},
             ${OUTPUT_SUMS_BY_TASK_TYPE.map(
               (sum) => `ARRAY[${TASK_TYPES.map((taskType) => `CASE WHEN o.task_type = '${taskType}' THEN ${sum.sql} ELSE 0 END`).join(', ')}]${sum.type === 'numeric' ? '::float8[]' : ''}`,
             ).join(', ')}, 1
        FROM "${schema}".outputs o WHERE ${outputRange}
    ),
    grouped AS (
      SELECT "group", bucket, ${SUMS}, bool_or(sample_size >= $12) AS many
        FROM (
          SELECT c.*, ${lostCostSql('c', '$9::float8')} AS lost_cost,
                 ${savedMinutesOfCellSql('c', '$10::float8[]')} AS saved_minutes,
                 ${savedValueOfCellSql('c', '$10::float8[]', '$9::float8')} AS saved_value
            FROM cells c
        ) priced
       GROUP BY 1, 2
    ),
    few AS (
      SELECT g."group", g.bucket, (
               SELECT array_agg(DISTINCT e ORDER BY e) FROM (
                 SELECT unnest(r.employee_sample) AS e FROM "${schema}".daily_samples r WHERE ${rollupRange} ${rollupCellsOf('g')}
                 UNION ALL
                 SELECT o.employee_id FROM "${schema}".outputs o WHERE ${outputRange} ${outputsOf('g')}
               ) employees
             ) AS ids
        FROM grouped g WHERE NOT g.many
    )
    SELECT g."group", g.bucket AT TIME ZONE 'UTC' AS bucket, NULL::text[] AS subgroups,
           g.outputs, g.reworked_outputs, g.double_checked_outputs, g.corrections, g.rewrites, g.double_checks, g.discards,
           g.rework_minutes, g.lost_cost, g.saved_minutes, g.saved_value,
           CASE WHEN g.many THEN $12 ELSE cardinality(f.ids) END AS employees,
           CASE WHEN NOT g.many AND cardinality(f.ids) < $11 THEN f.ids END AS employee_ids
      FROM grouped g
      LEFT JOIN few f ON ${sameRow('f', 'g')}
     ORDER BY g.bucket NULLS FIRST, g."group" NULLS FIRST`;

  const rows = await db.query<RawRow>(sql, parameters);
  return rows.map(toMetricsRow);
}

/** From the per-output read model: one aggregation over the outputs of [from, to). */
async function queryOutputs(db: SqlQueryable, query: ReworkMetricsQuery): Promise<ReworkMetricsRow[]> {
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
    // An employee is asked for as the read model names them, normalised (`Alice@Acme.test` is alice@acme.test): the employee
    // id, or an identifier no link resolves; an identifier a link resolves is not looked up (ask for its employee).
    parameters.push(name === 'employee' ? normaliseIdentifier(value) : value);
    filterSql.push(`${DIMENSION_EXPRESSIONS[name]} = $${parameters.length}`);
  }
  const groupSql = query.groupBy ? DIMENSION_EXPRESSIONS[query.groupBy] : 'NULL::text';
  const thenBy = query.groupBy ? (query.thenBy ?? []) : [];
  const subgroupSql = thenBy.length > 0 ? `ARRAY[${thenBy.map((dimension) => DIMENSION_EXPRESSIONS[dimension]).join(', ')}]` : 'NULL::text[]';
  const bucketSql = bucketOf(query.bucket, 'o.generated_at');

  // Two phases, both hash aggregations that PostgreSQL can run in parallel: per row and employee, then per row
  // (counting employees without a DISTINCT, which would sort every output).
  const sql = `
    WITH saved_by_task AS (SELECT key AS task_type, value::float8 AS minutes FROM jsonb_each_text($5::jsonb)),
    per_employee AS (
      SELECT ${groupSql} AS "group", ${bucketSql} AS bucket, ${subgroupSql} AS subgroups, o.employee_id,
             count(*) AS outputs,
             count(*) FILTER (WHERE ${reworkedSql('o')}) AS reworked_outputs,
             count(*) FILTER (WHERE ${doubleCheckedSql('o')}) AS double_checked_outputs,
             ${REWORK_KINDS.map((kind) => `sum(o.${kind.count}) AS ${kind.count}`).join(', ')},
             sum(${reworkMinutesSql('o')}) AS rework_minutes,
             sum(${lostCostSql('o', '$4::float8')}) AS lost_cost,
             sum(${savedMinutesSql('o', 'saved_by_task.minutes')}) AS saved_minutes,
             sum(${savedValueSql('o', 'saved_by_task.minutes', '$4::float8')}) AS saved_value
        FROM "${schema}".outputs o
        LEFT JOIN saved_by_task ON saved_by_task.task_type = o.task_type
       WHERE o.tenant = $1 AND o.generated AND o.generated_at >= $2 AND o.generated_at < $3
         ${filterSql.map((condition) => `AND ${condition}`).join(' ')}
       GROUP BY 1, 2, 3, 4
    )
    SELECT "group", bucket, subgroups, ${SUMS},
           count(*)::int AS employees,
           CASE WHEN count(*) < $6 THEN array_agg(employee_id ORDER BY employee_id) END AS employee_ids
      FROM per_employee
     GROUP BY 1, 2, 3
     ORDER BY 2 NULLS FIRST, 1 NULLS FIRST, 3 NULLS FIRST`;

  const rows = await db.query<RawRow>(sql, parameters);
  return rows.map(toMetricsRow);
}

export type ReworkCellsQuery = Readonly<{
  tenant: string;
  /** Whole periods: [from, to) starts and ends on period boundaries. */
  from: Date;
  to: Date;
  period: Bucket;
  defaultHourlyCost: number;
  defaultMinutesSavedByTaskType: Readonly<Record<string, number>>;
  /** Cells of fewer employees also list them (`employeeIds`). */
  privacyMinGroupSize: number;
  /** 'rollups' (default) where they can answer (see `cellsFromRollupsAnswer`), 'outputs': always the outputs (the reference). */
  readFrom?: 'rollups' | 'outputs';
}>;

/** A cell of the protected tables of one period (privacy v2): its coordinates and its figures (`group` null). */
export type ReworkCell = { period: string; coordinates: CellCoordinates; row: ReworkMetricsRow };

/** The grouping sets of the protected tables: the total, the one-way tables, the team × dimension cross-tables. */
const CELL_GROUPING_SETS = [[], ['team'], ['tool'], ['task_type'], ['model'], ['team', 'tool'], ['team', 'task_type'], ['team', 'model']];

/**
 * The cells of the protected tables (see privacy-tables.ts in the domain) of every period of [from, to), each with
 * its distinct employees (exact below k, "at least k" otherwise) and, below k, who they are: the one definition of
 * those cells, for every endpoint that answers a caller without admin (rework metrics, skills gaps). From the daily
 * rollups when they can answer, else from the outputs.
 */
export async function queryReworkCells(db: SqlQueryable, query: ReworkCellsQuery): Promise<ReworkCell[]> {
  return cellsFromRollupsAnswer(query) ? cellsFromRollups(db, query) : cellsFromOutputs(db, query);
}

/**
 * Whether the daily rollups answer a query for cells: whole UTC days (every period is), and a k no larger than
 * their employee sample (a cell's employees are the union of its days' samples: exact below the sample size).
 */
function cellsFromRollupsAnswer(query: ReworkCellsQuery): boolean {
  return (
    query.readFrom !== 'outputs' && query.privacyMinGroupSize <= EMPLOYEE_SAMPLE_SIZE && query.from.getTime() % DAY_MS === 0 && query.to.getTime() % DAY_MS === 0
  );
}

/** The rollup sums a cell reads only through the tenant defaults (lostCostSql, savedMinutesOfCellSql, savedValueOfCellSql). */
const PRICED_LATER = ['lost_cost_known', 'unknown_cost_minutes', 'estimated_saved_minutes', 'saved_value_known', 'unknown_cost_saved_minutes'];

/**
 * The rollup rows that are cells of the protected tables, for every task type (`*`) or per task type: the total and
 * the team totals and their task-type lines (`all`, `team`), the tool and model totals, the team × tool and team ×
 * model cross-cells.
 */
const CELL_DIMENSIONS = ['all', 'team', 'tool', 'model', 'team×tool', 'team×model'];
const CELL_DIMENSIONS_BY_TASK_TYPE = ['all', 'team'];

/**
 * The cells from the daily rollups: a cell of a period sums its days' rows. Its employees are needed exactly only
 * below k (the protection asks "fewer than k?", and who they are then): a cell with a day of k or more employees has
 * at least that many (said as that lower bound); for the others (rare: small cells every day of the period), the union
 * of their days' samples, each complete (fewer than k ≤ the sample size).
 */
async function cellsFromRollups(db: SqlQueryable, query: ReworkCellsQuery): Promise<ReworkCell[]> {
  const schema = reworkMetricsProjection.schema;
  const cellKey = 'period, dimension, value, task_type';
  const sql = `
    WITH picked AS (
      SELECT date_trunc('${query.period}', r.day::timestamp) AS period, r.dimension, r.value, r.task_type,
             ${OUTPUT_SUMS.filter((sum) => PRICED_LATER.every((column) => column !== sum.column)).map((sum) => `r.${sum.column}${sum.type === 'numeric' ? `::float8 AS ${sum.column}` : ''}`).join(', ')},
             ${lostCostSql('r', '$4::float8', '::float8')} AS lost_cost,
             ${savedMinutesOfCellSql('r', '$5::float8[]', '::float8')} AS saved_minutes,
             ${savedValueOfCellSql('r', '$5::float8[]', '$4::float8', '::float8')} AS saved_value,
             COALESCE(r.sample_size, 0) AS sample_size
        FROM "${schema}".daily_rollup r
       WHERE r.tenant = $1 AND r.dimension = ANY($6::text[]) AND r.day >= $2::date AND r.day < $3::date
         AND (r.task_type = '${EVERY_TASK_TYPE}' OR r.dimension = ANY($7::text[]))
    ),
    cells AS (
      SELECT ${cellKey}, ${SUMS}, max(sample_size) AS most FROM picked GROUP BY ${cellKey}
    ),
    few AS (
      SELECT c.period, c.dimension, c.value, c.task_type, (
               SELECT array_agg(DISTINCT e ORDER BY e)
                 FROM "${schema}".daily_samples s CROSS JOIN LATERAL unnest(s.employee_sample) AS e
                WHERE s.tenant = $1 AND s.dimension = c.dimension AND s.day >= c.period::date AND s.day < (c.period + interval '1 ${query.period}')::date
                  AND s.value = c.value AND s.task_type = c.task_type
             ) AS ids
        FROM cells c WHERE c.most < $8
    )
    SELECT c.period AT TIME ZONE 'UTC' AS bucket, NULL::text AS "group", NULL::text[] AS subgroups, c.dimension, c.value, c.task_type,
           c.outputs, c.reworked_outputs, c.double_checked_outputs, c.corrections, c.rewrites, c.double_checks, c.discards,
           c.rework_minutes, c.lost_cost, c.saved_minutes, c.saved_value,
           CASE WHEN c.most >= $8 THEN c.most ELSE COALESCE(cardinality(f.ids), 0) END AS employees,
           CASE WHEN c.most < $8 AND COALESCE(cardinality(f.ids), 0) < $8 THEN COALESCE(f.ids, '{}') END AS employee_ids
      FROM cells c LEFT JOIN few f USING (${cellKey})
     ORDER BY c.period, c.dimension, c.value, c.task_type`;
  const rows = await db.query<RawRow & { dimension: string; value: string; task_type: string }>(sql, [
    query.tenant,
    query.from.toISOString().slice(0, 10),
    query.to.toISOString().slice(0, 10),
    query.defaultHourlyCost,
    TASK_TYPES.map((taskType) => query.defaultMinutesSavedByTaskType[taskType] ?? 0),
    CELL_DIMENSIONS,
    CELL_DIMENSIONS_BY_TASK_TYPE,
    query.privacyMinGroupSize,
  ]);
  return rows.map((raw) => {
    const row = toMetricsRow(raw);
    return { period: row.bucket as string, coordinates: coordinatesOfRollupCell(raw.dimension, raw.value, raw.task_type), row };
  });
}

/** The coordinates of a rollup row that is a cell of the protected tables (one of CELL_DIMENSIONS). */
function coordinatesOfRollupCell(dimension: string, value: string, taskType: string): CellCoordinates {
  const ofTaskType = taskType === EVERY_TASK_TYPE ? {} : { taskType };
  switch (dimension) {
    case 'all':
      return ofTaskType;
    case 'team':
      return { team: value, ...ofTaskType };
    case 'tool':
      return { tool: value };
    case 'model':
      return { model: value };
    case 'team×tool': {
      const [team, tool] = splitCompositeValue(value);
      return { team, tool };
    }
    case 'team×model': {
      const [team, model] = splitCompositeValue(value);
      return { team, model };
    }
    default:
      throw new Error(`not a dimension of the protected tables: ${dimension}`);
  }
}

/**
 * The cells from the per-output read model (a k above the rollups' sample, or the reference), with each cell's exact
 * distinct employees. Hash aggregations only, no DISTINCT (which would sort every output per grouping set): per cell
 * and employee first (the grouping sets), then per cell, counting its employees; the ids are gathered only for the
 * cells of fewer than k.
 */
async function cellsFromOutputs(db: SqlQueryable, query: ReworkCellsQuery): Promise<ReworkCell[]> {
  const schema = reworkMetricsProjection.schema;
  // A rolled-up dimension reads '' (told apart from a real value by the grouping id, g): equality joins, hashed.
  const dimension = (column: string) => `CASE WHEN GROUPING(${column}) = 0 THEN ${column} ELSE '' END AS ${column}`;
  const cellKey = 'period, g, team, tool, task_type, model';
  const sql = `
    WITH saved_by_task AS (SELECT key AS task_type, value::float8 AS minutes FROM jsonb_each_text($5::jsonb)),
    facts AS (
      SELECT date_trunc('${query.period}', o.generated_at AT TIME ZONE 'UTC') AS period,
             o.team, o.tool, o.task_type, ${DIMENSION_EXPRESSIONS.model} AS model, o.employee_id,
             ${reworkedSql('o')}::int AS reworked, ${doubleCheckedSql('o')}::int AS double_checked,
             ${REWORK_KINDS.map((kind) => `o.${kind.count}`).join(', ')},
             ${reworkMinutesSql('o')} AS rework_minutes,
             ${lostCostSql('o', '$4::float8')} AS lost_cost,
             ${savedMinutesSql('o', 'saved_by_task.minutes')} AS saved_minutes,
             ${savedValueSql('o', 'saved_by_task.minutes', '$4::float8')} AS saved_value
        FROM "${schema}".outputs o
        LEFT JOIN saved_by_task ON saved_by_task.task_type = o.task_type
       WHERE o.tenant = $1 AND o.generated AND o.generated_at >= $2 AND o.generated_at < $3
    ),
    cell_employee AS MATERIALIZED (
      SELECT period, GROUPING(team, tool, task_type, model) AS g, ${['team', 'tool', 'task_type', 'model'].map(dimension).join(', ')}, employee_id,
             count(*) AS outputs, sum(reworked) AS reworked_outputs, sum(double_checked) AS double_checked_outputs,
             sum(corrections) AS corrections, sum(rewrites) AS rewrites, sum(double_checks) AS double_checks, sum(discards) AS discards,
             sum(rework_minutes) AS rework_minutes, sum(lost_cost) AS lost_cost, sum(saved_minutes) AS saved_minutes,
             sum(saved_value) AS saved_value
        FROM facts
       GROUP BY GROUPING SETS (${CELL_GROUPING_SETS.map((set) => `(${['period', ...set, 'employee_id'].join(', ')})`).join(', ')})
    ),
    cells AS (
      SELECT ${cellKey}, ${SUMS}, count(*)::int AS employees FROM cell_employee GROUP BY ${cellKey}
    ),
    few AS (
      SELECT ${cellKey.split(', ').map((column) => `c.${column}`).join(', ')}, array_agg(e.employee_id ORDER BY e.employee_id) AS employee_ids
        FROM cells c JOIN cell_employee e USING (${cellKey})
       WHERE c.employees < $6
       GROUP BY ${cellKey.split(', ').map((column) => `c.${column}`).join(', ')}
    )
    SELECT c.period AT TIME ZONE 'UTC' AS bucket, NULL::text AS "group", NULL::text[] AS subgroups, c.g,
           c.team, c.tool, c.task_type, c.model,
           c.outputs, c.reworked_outputs, c.double_checked_outputs, c.corrections, c.rewrites, c.double_checks, c.discards,
           c.rework_minutes, c.lost_cost, c.saved_minutes, c.saved_value, c.employees, f.employee_ids
      FROM cells c LEFT JOIN few f USING (${cellKey})
     ORDER BY c.period, c.g DESC, c.team, c.tool, c.task_type, c.model`;
  const rows = await db.query<RawRow & { g: number; team: string; tool: string; task_type: string; model: string }>(sql, [
    query.tenant,
    query.from.toISOString(),
    query.to.toISOString(),
    query.defaultHourlyCost,
    JSON.stringify(query.defaultMinutesSavedByTaskType),
    query.privacyMinGroupSize,
  ]);
  return rows.map((raw) => {
    const row = toMetricsRow(raw);
    // GROUPING(team, tool, task_type, model): bit 3 = team rolled up, bit 2 = tool, bit 1 = task type, bit 0 = model.
    const coordinates: Record<string, string> = {};
    if ((raw.g & 8) === 0) coordinates['team'] = raw.team;
    if ((raw.g & 4) === 0) coordinates['tool'] = raw.tool;
    if ((raw.g & 2) === 0) coordinates['taskType'] = raw.task_type;
    if ((raw.g & 1) === 0) coordinates['model'] = raw.model;
    return { period: row.bucket as string, coordinates, row };
  });
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
  saved_value: number;
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
    savedValue: row.saved_value,
    doubleCheckedOutputs: row.double_checked_outputs,
    employees: row.employees,
    ...(row.employee_ids ? { employeeIds: row.employee_ids } : {}),
  };
}
