import { TASK_TYPES } from '@rework-ledger/domain';
import type { PoolClient } from 'pg';
import {
  activityMinutesOf,
  activityMinutesSql,
  COMPOSITE_SEPARATOR,
  CROSSED_ROLLUP_DIMENSIONS,
  dimensionSql,
  dimensionValues,
  isReworked,
  REWORK_COLUMNS,
  REWORK_KINDS,
  reworkedSql,
  ROLLUP_DIMENSIONS,
  ROLLUP_SUM_COLUMNS,
  ROLLUP_TASK_TYPE_SUM_COLUMNS,
  rollupSumsByTaskTypeOfOutput,
  rollupSumsOfOutput,
} from './rework-rules';

export {
  COMPOSITE_SEPARATOR,
  compositeValue,
  compositeValueSql,
  CROSSED_ROLLUP_DIMENSIONS,
  type CrossedRollupDimension,
  ROLLUP_DIMENSIONS,
  type RollupDimension,
  UNSPECIFIED_MODEL,
  UNSPECIFIED_MODEL_SQL,
} from './rework-rules';

/**
 * Rollups of the per-output rework facts, kept by the rework-metrics projection so that the read side never
 * aggregates a year of outputs at query time:
 *
 * - `daily_rollup`: per UTC day, dimension (all, team, tool, taskType, model), its value and task type (and `*`, every
 *   task type, so that an unfiltered query reads one row per day and value), and the crossed cells of the protected
 *   tables of privacy v2 that those do not hold (`team×tool`, `team×model`, every task type only: see
 *   CROSSED_ROLLUP_DIMENSIONS), the sums of every v1 metric (tenant
 *   defaults stay query-time parameters: the cost of rework by people without an hourly cost is kept in minutes, and
 *   the outputs without a saved-minutes estimate are counted per task type, in TASK_TYPES order); beside it,
 *   `daily_samples`, the `EMPLOYEE_SAMPLE_SIZE` smallest employee ids of each cell. A row's distinct employees are
 *   then exact whenever every cell under it has fewer than that many (union of the samples), and "at least that many"
 *   otherwise: enough for the small-group rule with any k up to the sample size.
 * - `employee_months`: per employee and calendar month, the day-by-day activity training impact is estimated on,
 *   packed as bytes (see `ACTIVITY_RECORD_BYTES`): a year of 10,000 employees is 120,000 short rows to read. A batch
 *   packs again, in the batch's transaction (under the runner's checkpoint), the months whose activity it moved (`repackEmployeeMonths`); reads only read.
 * - `fact_extent`: per tenant, the time of the latest output or rework; the rollups answer "as of" any time after it.
 *
 * Every statement of the projection that changes outputs answers the outputs it changed as they were and as they are
 * (`changesOf`); the batch's changes are then applied to the rollups (`applyOutputChanges`), so a late assignment
 * (re-attribution), a late rework or a late output leaves no stale cell, at a cost that grows with the batch, not with
 * the tenant. A rebuild derives the same rollups in bulk instead (rework-metrics.rebuild.ts).
 */
export const EMPLOYEE_SAMPLE_SIZE = 32;

/** One day of an employee in `employee_months.activity`: int32 day since epoch, int32 outputs, int32 reworked, float64 minutes (big-endian). */
export const ACTIVITY_RECORD_BYTES = 20;
/** The columns of one such day, aggregated over outputs `o` grouped by employee and day (rework minutes exclude double-checks). */
export const ACTIVITY_OF_DAY = `floor(extract(epoch FROM o.generated_at) / 86400)::int AS day, count(*)::int AS outputs,
  count(*) FILTER (WHERE ${reworkedSql('o')})::int AS reworked,
  sum(${activityMinutesSql('o')})::float8 AS minutes`;
/** One such day (day, outputs, reworked, minutes) as its record. */
const ACTIVITY_RECORD = `int4send(day) || int4send(outputs) || int4send(reworked) || float8send(minutes)`;
/** Those days packed into one `activity` value, in day order. */
export const PACKED_DAYS = `string_agg(${ACTIVITY_RECORD}, ''::bytea ORDER BY day)`;

/** The two values of a crossed cell's value. */
export function splitCompositeValue(value: string): [string, string] {
  const at = value.indexOf(COMPOSITE_SEPARATOR);
  return [value.slice(0, at), value.slice(at + 1)];
}

/** The task type of the rollup rows that cover every task type. */
export const EVERY_TASK_TYPE = '*';

/**
 * Columns only ever summed or read, never filtered, grouped or joined on: without planner statistics, which ANALYZE then
 * skips (about half of a rebuilt schema's ANALYZE: issue 13).
 */
export function withoutStatisticsSql(schema: string, table: string, columns: readonly string[]): string {
  return `ALTER TABLE "${schema}".${table} ${columns.map((column) => `ALTER COLUMN ${column} SET STATISTICS 0`).join(', ')}`;
}

export async function createRollupTables(client: PoolClient, schema: string): Promise<void> {
  await client.query(`
    CREATE TABLE "${schema}".daily_rollup (
      tenant text NOT NULL,
      day date NOT NULL,
      dimension text NOT NULL,
      value text NOT NULL,
      task_type text NOT NULL,
      outputs integer NOT NULL,
      reworked_outputs integer NOT NULL,
      double_checked_outputs integer NOT NULL,
      corrections integer NOT NULL,
      rewrites integer NOT NULL,
      double_checks integer NOT NULL,
      discards integer NOT NULL,
      rework_minutes numeric NOT NULL,
      lost_cost_known numeric NOT NULL,
      unknown_cost_minutes numeric NOT NULL,
      estimated_saved_minutes numeric NOT NULL,
      saved_value_known numeric NOT NULL,
      unknown_cost_saved_minutes numeric NOT NULL,
      unestimated_outputs integer[] NOT NULL,
      unestimated_author_cost numeric[] NOT NULL,
      unestimated_unknown_cost_outputs integer[] NOT NULL,
      -- cardinality of the cell's employee sample (kept beside it, so that the sums stay a narrow table to scan);
      -- nullable only so that an upsert can say "unchanged"
      sample_size integer,
      PRIMARY KEY (tenant, dimension, day, value, task_type)
    ) WITH (fillfactor = 80);
    CREATE TABLE "${schema}".daily_samples (
      tenant text NOT NULL,
      day date NOT NULL,
      dimension text NOT NULL,
      value text NOT NULL,
      task_type text NOT NULL,
      employee_sample text[] NOT NULL,
      PRIMARY KEY (tenant, dimension, day, value, task_type)
    );
    CREATE TABLE "${schema}".employee_months (
      tenant text NOT NULL,
      employee_id text NOT NULL,
      month date NOT NULL,
      activity bytea NOT NULL,
      PRIMARY KEY (tenant, employee_id, month)
    );
    CREATE TABLE "${schema}".fact_extent (
      tenant text PRIMARY KEY,
      latest_fact_at timestamptz NOT NULL
    );
  `);
  await client.query(withoutStatisticsSql(schema, 'daily_rollup', [...ROLLUP_SUM_COLUMNS, ...ROLLUP_TASK_TYPE_SUM_COLUMNS, 'sample_size']));
  await client.query(withoutStatisticsSql(schema, 'daily_samples', ['employee_sample']));
}

/** The columns of an output the rollups read, as a statement returns them for each output it changed. */
const CHANGE_COLUMNS = [
  'tenant',
  'output_id',
  'generated',
  'generated_at',
  'employee_id',
  'team',
  'tool',
  'task_type',
  'model',
  'corrections',
  'rewrites',
  'double_checks',
  'discards',
  'correction_minutes',
  'rewrite_minutes',
  'double_check_minutes',
  'discard_minutes',
  'lost_cost_known',
  'unknown_cost_minutes',
  'minutes_saved_estimate',
  'author_hourly_cost',
] as const;

/** A generated output before (sign −1) or after (sign +1) a statement changed it. */
export type OutputChange = {
  sign: 1 | -1;
  tenant: string;
  output_id: string;
  generated_at: Date;
  employee_id: string;
  team: string;
  tool: string;
  task_type: string;
  model: string | null;
  corrections: number;
  rewrites: number;
  double_checks: number;
  discards: number;
  correction_minutes: number;
  rewrite_minutes: number;
  double_check_minutes: number;
  discard_minutes: number;
  lost_cost_known: number;
  unknown_cost_minutes: number;
  minutes_saved_estimate: number | null;
  author_hourly_cost: number | null;
};

/** `RETURNING` list for the statement of `changesOf` (its table aliased `o`). */
export const RETURNING_CHANGES = CHANGE_COLUMNS.map((column) => `o.${column}`).join(', ');

/**
 * A statement that changes outputs, given as common table expressions whose last, `changed`, is the change itself
 * (`… RETURNING ${RETURNING_CHANGES}`), made to answer every generated output it changed as it is after (+1) and as it
 * was before (−1): the main query still sees the table as it was when the statement began. `before: false` for a
 * statement that only ever changes outputs that were not generated before.
 */
export function changesOf(schema: string, ctes: string, options: { before?: boolean } = {}): string {
  const columns = (alias: string) => CHANGE_COLUMNS.filter((column) => column !== 'generated').map((column) => `${alias}.${column}`).join(', ');
  const after = `SELECT 1 AS sign, ${columns('c')} FROM changed c WHERE c.generated`;
  // Looked up by primary key, output by output (a lateral subquery): a batch changes a few thousand of millions.
  const before = `SELECT -1 AS sign, ${columns('o')} FROM changed c
    CROSS JOIN LATERAL (SELECT * FROM "${schema}".outputs p WHERE p.tenant = c.tenant AND p.output_id = c.output_id AND p.generated) o`;
  return `WITH ${ctes} ${after}${options.before === false ? '' : ` UNION ALL ${before}`}`;
}

/** Moves each tenant's fact extent to the latest of these times. */
export async function extendFacts(client: PoolClient, schema: string, tenants: readonly string[], times: readonly string[]): Promise<void> {
  if (tenants.length === 0) return;
  await client.query(
    `INSERT INTO "${schema}".fact_extent AS x (tenant, latest_fact_at)
     SELECT tenant, max(at) FROM unnest($1::text[], $2::timestamptz[]) AS u(tenant, at) GROUP BY tenant
     ON CONFLICT (tenant) DO UPDATE SET latest_fact_at = GREATEST(x.latest_fact_at, EXCLUDED.latest_fact_at)`,
    [tenants, times],
  );
}

/**
 * Applies a batch's output changes to the rollups. Daily cells take the signed sums (numeric, so that adding and
 * taking back are exact and the order of batches does not matter) and the employees added to their sample; a cell an
 * employee may have left (a late assignment moved an output to another team) has its sample recomputed from the
 * outputs, and is dropped when it holds no output any more. Employee months where an output arrived or its rework
 * changed are packed again.
 */
export async function applyOutputChanges(client: PoolClient, schema: string, answered: readonly OutputChange[]): Promise<void> {
  const changes = withoutCancellingPairs(answered);
  if (changes.length === 0) return;
  const key = 'tenant, dimension, day, value, task_type';
  const places = placesOf(changes);
  const added = addedEmployees(changes, places);
  // The changes are summed per output cell (day, team, tool, task type, model) first, then into the rollup cells:
  // hash aggregations over a few thousand rows, no sort.
  // Per change: its sign, its cell coordinates, then the output columns the rollup sums are computed from.
  const coordinates = ['sign', 'tenant', 'generated_at', 'team', 'tool', 'task_type', 'model'] as const;
  const figures = [...REWORK_COLUMNS, 'minutes_saved_estimate', 'author_hourly_cost'];
  const types: Record<string, string> = { sign: 'int', generated_at: 'timestamptz', ...Object.fromEntries(REWORK_KINDS.map((kind) => [kind.count, 'int'])) };
  const columns = [...coordinates, ...figures];
  const typeOf = (name: string) => types[name] ?? (figures.includes(name) ? 'float8' : 'text');
  const n = columns.length;
  const u = dimensionSql('u');
  const b = dimensionSql('b');
  const cellValues: [string, string, boolean][] = [
    ...ROLLUP_DIMENSIONS.map((dimension): [string, string, boolean] => [dimension, b[dimension], true]),
    ...CROSSED_ROLLUP_DIMENSIONS.map((dimension): [string, string, boolean] => [dimension, b[dimension], false]),
  ];
  await client.query(
    `WITH u AS (
       SELECT * FROM unnest(${columns.map((name, i) => `$${i + 1}::${typeOf(name)}[]`).join(', ')}) AS u(${columns.join(', ')})
     ),
     base AS (
       SELECT u.tenant, (u.generated_at AT TIME ZONE 'UTC')::date AS day, u.team, u.tool, u.task_type, ${u.model} AS model,
              ${rollupSumsOfOutput('u').map((sum) => `sum(u.sign * (${sum.sql})${sum.type === 'numeric' ? '::numeric' : ''}) AS ${sum.column}`).join(', ')},
              ${rollupSumsByTaskTypeOfOutput('u').map((sum) => `sum(u.sign * (${sum.sql})${sum.type === 'numeric' ? '::numeric' : ''}) AS ${sum.column}`).join(', ')}
         FROM u GROUP BY 1, 2, 3, 4, 5, 6
     ),
     cells AS (
       SELECT b.tenant, b.day, g.dimension, g.value, t.task_type,
              ${ROLLUP_SUM_COLUMNS.map((column) => `sum(b.${column}) AS ${column}`).join(', ')},
              ${ROLLUP_TASK_TYPE_SUM_COLUMNS.map((column) => `ARRAY[${TASK_TYPES.map((taskType) => `sum(b.${column}) FILTER (WHERE b.task_type = '${taskType}')`).join(', ')}] AS ${column}`).join(', ')}
         FROM base b
         CROSS JOIN LATERAL (VALUES ${cellValues.map(([dimension, value, byTaskType]) => `('${dimension}', ${value}, ${byTaskType})`).join(', ')})
           AS g(dimension, value, by_task_type)
         CROSS JOIN LATERAL (SELECT b.task_type WHERE g.by_task_type UNION ALL SELECT '${EVERY_TASK_TYPE}') AS t(task_type)
        GROUP BY 1, 2, 3, 4, 5
     ),
     added AS (
       SELECT ${key}, ARRAY(SELECT jsonb_array_elements_text(a.sample)) AS added
         FROM unnest($${n + 1}::text[], $${n + 2}::text[], $${n + 3}::date[], $${n + 4}::text[], $${n + 5}::text[], $${n + 6}::jsonb[]) AS a(${key}, sample)
     ),
     -- A sample is written only when it changes: once it holds the cell's smallest ids, later employees leave it be.
     resampled AS (
       INSERT INTO "${schema}".daily_samples AS s (${key}, employee_sample)
       SELECT ${key}, added FROM added
       ON CONFLICT (${key}) DO UPDATE
         SET employee_sample = ARRAY(SELECT DISTINCT e FROM unnest(s.employee_sample || EXCLUDED.employee_sample) AS e ORDER BY e LIMIT ${EMPLOYEE_SAMPLE_SIZE})
         WHERE ARRAY(SELECT DISTINCT e FROM unnest(s.employee_sample || EXCLUDED.employee_sample) AS e ORDER BY e LIMIT ${EMPLOYEE_SAMPLE_SIZE}) <> s.employee_sample
       RETURNING ${key}, cardinality(s.employee_sample) AS sample_size
     )
     INSERT INTO "${schema}".daily_rollup AS r (${key}, ${ROLLUP_SUM_COLUMNS.join(', ')}, ${ROLLUP_TASK_TYPE_SUM_COLUMNS.join(', ')}, sample_size)
     SELECT ${key}, ${ROLLUP_SUM_COLUMNS.join(', ')}, ${ROLLUP_TASK_TYPE_SUM_COLUMNS.map((column) => `ARRAY(SELECT COALESCE(n, 0) FROM unnest(${column}) AS n)`).join(', ')}, resampled.sample_size
       FROM cells LEFT JOIN resampled USING (${key})
     ON CONFLICT (${key}) DO UPDATE SET
       ${ROLLUP_SUM_COLUMNS.map((column) => `${column} = r.${column} + EXCLUDED.${column}`).join(', ')},
       ${ROLLUP_TASK_TYPE_SUM_COLUMNS.map((column) => `${column} = ARRAY[${TASK_TYPES.map((_, i) => `r.${column}[${i + 1}] + EXCLUDED.${column}[${i + 1}]`).join(', ')}]`).join(', ')},
       sample_size = COALESCE(EXCLUDED.sample_size, r.sample_size)`,
    [
      ...columns.map((name) =>
        name === 'generated_at' ? changes.map((change) => change.generated_at.toISOString()) : changes.map((change) => change[name as keyof OutputChange]),
      ),
      ...[0, 1, 2, 3, 4].map((i) => added.map((cell) => cell.key[i])),
      added.map((cell) => JSON.stringify(cell.employees)),
    ],
  );

  const left = cellsLeftBySomeone(changes, places);
  if (left.length > 0) {
    const leftCells = `SELECT DISTINCT ${key} FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[]) AS c(${key}, employee_id)`;
    // The cells to sample again: those whose sample holds someone who left (a sample is the cell's smallest employee
    // ids: whoever is not in it can leave without changing it).
    const staleCells = `SELECT DISTINCT c.tenant, c.dimension, c.day, c.value, c.task_type
         FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[]) AS c(${key}, employee_id)
         JOIN "${schema}".daily_samples s USING (${key})
        WHERE c.employee_id = ANY (s.employee_sample)`;
    const parameters = [0, 1, 2, 3, 4, 5].map((i) => left.map((cell) => cell[i]));
    const valueOf = dimensionSql('o');
    // One statement: the stale cells are read once (once resampled, a sample no longer holds whoever left).
    await client.query(
      `WITH stale AS (${staleCells}),
       resampled AS (
         UPDATE "${schema}".daily_samples s SET employee_sample = COALESCE((
             SELECT (array_agg(DISTINCT o.employee_id ORDER BY o.employee_id))[1:${EMPLOYEE_SAMPLE_SIZE}]
               FROM "${schema}".outputs o
              WHERE o.tenant = s.tenant AND o.generated AND (s.task_type = '${EVERY_TASK_TYPE}' OR o.task_type = s.task_type)
                AND o.generated_at >= s.day::timestamp AT TIME ZONE 'UTC' AND o.generated_at < (s.day + 1)::timestamp AT TIME ZONE 'UTC'
                AND CASE s.dimension ${[...ROLLUP_DIMENSIONS, ...CROSSED_ROLLUP_DIMENSIONS].map((dimension) => `WHEN '${dimension}' THEN ${valueOf[dimension]}`).join(' ')} END = s.value
           ), '{}')
           FROM stale c
          WHERE (s.tenant, s.dimension, s.day, s.value, s.task_type) = (c.tenant, c.dimension, c.day, c.value, c.task_type)
         RETURNING s.tenant, s.dimension, s.day, s.value, s.task_type, cardinality(s.employee_sample) AS sample_size
       )
       UPDATE "${schema}".daily_rollup r SET sample_size = resampled.sample_size FROM resampled
        WHERE (r.tenant, r.dimension, r.day, r.value, r.task_type) = (resampled.tenant, resampled.dimension, resampled.day, resampled.value, resampled.task_type)`,
      parameters,
    );
    // A cell nobody's output is in any more goes, with its sample.
    await client.query(
      `WITH gone AS (
         DELETE FROM "${schema}".daily_rollup r USING (${leftCells}) c
          WHERE r.outputs = 0 AND (r.tenant, r.dimension, r.day, r.value, r.task_type) = (c.tenant, c.dimension, c.day, c.value, c.task_type)
         RETURNING r.tenant, r.dimension, r.day, r.value, r.task_type
       )
       DELETE FROM "${schema}".daily_samples s USING gone
        WHERE (s.tenant, s.dimension, s.day, s.value, s.task_type) = (gone.tenant, gone.dimension, gone.day, gone.value, gone.task_type)`,
      parameters,
    );
  }

  // The employee-months whose activity moved (to another employee too: an identity link) are packed again, here, in
  // the batch's transaction.
  const active = activityChanges(changes);
  if (active.length === 0) return;
  await client.query(repackEmployeeMonths(schema), [
    active.map((change) => change.tenant),
    active.map((change) => change.employee_id),
    active.map((change) => change.generated_at.toISOString()),
  ]);
}

/**
 * One statement that packs again the employee-months of the given outputs (tenants $1, employees $2, generation times
 * $3): what a batch runs, under the projection runner's transaction and checkpoint, for the months whose activity it
 * moved. Only the days of those outputs are aggregated again, from their outputs; the month's other days are kept as
 * they are packed. An output's day never changes, but its employee may (an identity link): the day it left may be
 * empty now, and a month with no day left is deleted.
 */
export function repackEmployeeMonths(schema: string): string {
  const dayOf = (record: string) => `('x' || encode(substring(${record} FROM 1 FOR 4), 'hex'))::bit(32)::int`;
  return `WITH changed AS (
       SELECT DISTINCT tenant, employee_id, floor(extract(epoch FROM at) / 86400)::int AS day
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(tenant, employee_id, at)
     ),
     months AS (
       SELECT tenant, employee_id, date_trunc('month', to_timestamp(day::float8 * 86400) AT TIME ZONE 'UTC')::date AS month,
              array_agg(day) AS days
         FROM changed GROUP BY 1, 2, 3
     ),
     fresh AS (
       SELECT c.tenant, c.employee_id, ${ACTIVITY_OF_DAY}
         FROM changed c
         JOIN "${schema}".outputs o ON o.tenant = c.tenant AND o.employee_id = c.employee_id AND o.generated
          AND o.generated_at >= to_timestamp(c.day::float8 * 86400) AND o.generated_at < to_timestamp((c.day + 1)::float8 * 86400)
        GROUP BY 1, 2, 3
     ),
     records AS (
       SELECT f.tenant, f.employee_id, date_trunc('month', to_timestamp(f.day::float8 * 86400) AT TIME ZONE 'UTC')::date AS month, f.day,
              ${ACTIVITY_RECORD} AS record
         FROM fresh f
       UNION ALL
       SELECT m.tenant, m.employee_id, m.month, kept.day, kept.record
         FROM months m
         JOIN "${schema}".employee_months e ON e.tenant = m.tenant AND e.employee_id = m.employee_id AND e.month = m.month
         CROSS JOIN LATERAL (
           SELECT ${dayOf('r.record')} AS day, r.record
             FROM generate_series(0, length(e.activity) / ${ACTIVITY_RECORD_BYTES} - 1) AS i
             CROSS JOIN LATERAL (SELECT substring(e.activity FROM i * ${ACTIVITY_RECORD_BYTES} + 1 FOR ${ACTIVITY_RECORD_BYTES}) AS record) r
         ) kept
        WHERE kept.day <> ALL (m.days)
     ),
     emptied AS (
       DELETE FROM "${schema}".employee_months e USING months m
        WHERE e.tenant = m.tenant AND e.employee_id = m.employee_id AND e.month = m.month
          AND NOT EXISTS (SELECT 1 FROM records r WHERE r.tenant = m.tenant AND r.employee_id = m.employee_id AND r.month = m.month)
     )
     INSERT INTO "${schema}".employee_months (tenant, employee_id, month, activity)
     SELECT tenant, employee_id, month, string_agg(record, ''::bytea ORDER BY day)
       FROM records GROUP BY 1, 2, 3
     ON CONFLICT (tenant, employee_id, month) DO UPDATE SET activity = EXCLUDED.activity`;
}

/**
 * The outputs whose day of activity the changes move: new ones, those whose rework (not double-checks) changed, and
 * those that moved to another employee (both employees' days move). Each statement answers an output it changed once
 * as before (−1) and once as after (+1), a new output as after only; over a batch, an output's activity changed unless
 * its befores and afters cancel out. Answers each employee-day of such an output once.
 */
function activityChanges(changes: readonly OutputChange[]): OutputChange[] {
  const activity = (change: OutputChange) => `${change.employee_id}\u0000${isReworked(change)}:${activityMinutesOf(change)}`;
  const outputs = new Map<string, { changes: Map<string, OutputChange>; net: Map<string, number> }>();
  for (const change of changes) {
    const id = `${change.tenant}\u0000${change.output_id}`;
    let output = outputs.get(id);
    if (output === undefined) outputs.set(id, (output = { changes: new Map(), net: new Map() }));
    if (!output.changes.has(change.employee_id)) output.changes.set(change.employee_id, change);
    const state = activity(change);
    output.net.set(state, (output.net.get(state) ?? 0) + change.sign);
  }
  return [...outputs.values()].filter(({ net }) => [...net.values()].some((count) => count !== 0)).flatMap(({ changes: byEmployee }) => [...byEmployee.values()]);
}

const outputKey = (change: OutputChange) => `${change.tenant}\u0000${change.output_id}`;

/** Every column of a change but its sign, as one string: two changes with the same are the same state of the output. */
function stateOf(change: OutputChange): string {
  return JSON.stringify(CHANGE_COLUMNS.map((column) => (column === 'generated' ? null : column === 'generated_at' ? change.generated_at.getTime() : change[column])));
}

/**
 * The changes less the pairs that cancel out: one state of an output answered as after (+1) by a statement and as
 * before (−1) by another, column for column — an output generated, then reworked, in the same batch. Their sums cancel
 * exactly, and the rollups see the output once, as it ends up: fewer rows for the rollup statement, and no cell touched
 * by a state the output only passed through (issue 15).
 */
export function withoutCancellingPairs(changes: readonly OutputChange[]): OutputChange[] {
  const unmatched = new Map<string, number[]>();
  const cancelled = new Set<number>();
  changes.forEach((change, index) => {
    const state = `${change.sign < 0 ? '-' : '+'}${stateOf(change)}`;
    const opposite = `${change.sign < 0 ? '+' : '-'}${state.slice(1)}`;
    const waiting = unmatched.get(opposite);
    if (waiting !== undefined && waiting.length > 0) {
      cancelled.add(waiting.pop() as number);
      cancelled.add(index);
    } else {
      const same = unmatched.get(state);
      if (same === undefined) unmatched.set(state, [index]);
      else same.push(index);
    }
  });
  return cancelled.size === 0 ? [...changes] : changes.filter((_, index) => !cancelled.has(index));
}

/** Where an output's changes of a batch leave it: `moved` when they are not all of one employee in the same cells. */
export type OutputPlace = Readonly<{ moved: boolean; net: number }>;

/**
 * Per output (tenant and output id), whether its changes moved it (another employee, team, tool or model: a late
 * assignment, an identity link) and their net count (afters less befores: 1 for an output new in the batch, 0 for one
 * reworked or re-costed). An output that did not move adds its employee to its cells only if it is new, and takes them
 * from none: most changes once outputs are reworked, whose cells would otherwise be visited once per change (issue 15).
 */
export function placesOf(changes: readonly OutputChange[]): ReadonlyMap<string, OutputPlace> {
  const place = (change: OutputChange) =>
    `${change.employee_id}\u0000${change.generated_at.getTime()}\u0000${change.team}\u0000${change.tool}\u0000${change.task_type}\u0000${change.model ?? ''}\u0001${change.model === null}`;
  const outputs = new Map<string, { place: string; net: number; moved: boolean }>();
  for (const change of changes) {
    const id = outputKey(change);
    const output = outputs.get(id);
    if (output === undefined) outputs.set(id, { place: place(change), net: change.sign, moved: false });
    else {
      output.net += change.sign;
      if (!output.moved && output.place !== place(change)) output.moved = true;
    }
  }
  return outputs;
}

/** Per rollup cell, the smallest EMPLOYEE_SAMPLE_SIZE employees the changes add to it (computed here: a sort-free statement). */
function addedEmployees(changes: readonly OutputChange[], places: ReadonlyMap<string, OutputPlace>): { key: string[]; employees: string[] }[] {
  const cells = new Map<string, { key: string[]; employees: Set<string> }>();
  const visited = new Set<string>();
  for (const change of changes) {
    if (change.sign < 0) continue;
    const id = outputKey(change);
    const place = places.get(id) as OutputPlace;
    // An output that stayed in its cells: its employee once if it is new, else not at all (they are there already).
    if (!place.moved && (place.net <= 0 || visited.has(id))) continue;
    visited.add(id);
    forEachCell(change, (key, id) => {
      let cell = cells.get(id);
      if (cell === undefined) cells.set(id, (cell = { key, employees: new Set() }));
      cell.employees.add(change.employee_id);
    });
  }
  return [...cells.values()].map(({ key, employees }) => ({ key, employees: [...employees].sort(compareCodeUnits).slice(0, EMPLOYEE_SAMPLE_SIZE) }));
}

/**
 * Any order would do: a sample only has to be complete below EMPLOYEE_SAMPLE_SIZE employees and full at or above it
 * (what makes the union of samples exact for small rows); sorting keeps the writes deterministic.
 */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The daily cells (tenant, dimension, day, value, task type) an employee's output left, with that employee: those its
 * state before the changes was in and its state after is not, or is as another employee's (a late assignment moved it
 * to another team; an identity link, to another employee). Their samples may have lost that employee.
 */
function cellsLeftBySomeone(changes: readonly OutputChange[], places: ReadonlyMap<string, OutputPlace>): string[][] {
  const left = (id: string) => {
    const place = places.get(id) as OutputPlace;
    return place.moved || place.net < 0;
  };
  const changed = new Set(changes.filter((change) => change.sign < 0).map(outputKey).filter(left));
  if (changed.size === 0) return [];
  const net = new Map<string, { key: string[]; sum: number }>();
  for (const change of changes) {
    if (!changed.has(outputKey(change))) continue;
    forEachCell(change, (key, id) => {
      const at = `${id}\u0000${change.output_id}\u0000${change.employee_id}`;
      const entry = net.get(at) ?? { key: [...key, change.employee_id], sum: 0 };
      entry.sum += change.sign;
      net.set(at, entry);
    });
  }
  const cells = new Map<string, string[]>();
  for (const { key, sum } of net.values()) if (sum < 0) cells.set(key.join('\u0000'), key);
  return [...cells.values()];
}

/** Calls `visit` with each rollup cell an output is in (its key, and the key joined into one string). */
function forEachCell(change: OutputChange, visit: (key: string[], id: string) => void): void {
  const day = change.generated_at.toISOString().slice(0, 10);
  const values = dimensionValues(change);
  for (const dimension of ROLLUP_DIMENSIONS) {
    for (const taskType of [change.task_type, EVERY_TASK_TYPE]) {
      const key = [change.tenant, dimension, day, values[dimension], taskType];
      visit(key, key.join('\u0000'));
    }
  }
  for (const dimension of CROSSED_ROLLUP_DIMENSIONS) {
    const key = [change.tenant, dimension, day, values[dimension], EVERY_TASK_TYPE];
    visit(key, key.join('\u0000'));
  }
}
