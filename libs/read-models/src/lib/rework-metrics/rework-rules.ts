import { type ReworkGroupBy, type ReworkKind, TASK_TYPES } from '@rework-ledger/domain';

// The one definition of each rework metric rule of PRODUCT.md (v1), as the SQL and the TypeScript that the rework
// projection's live path, its rebuild, the rollups and the queries are all built from: which rework kinds an output
// keeps (and in which columns), what makes an output reworked, its rework minutes (all four kinds) and its activity
// minutes (the kinds that rework it: training impact), the cost of a rework, the assignment in effect at a time, the
// rollups' dimensions and the sums they keep. Checked against the pure TypeScript reference (`aggregateDailyActivity`
// of libs/training-impact, and the domain's `assignmentInEffect`) on a generated organisation: rework-rules.int-spec.ts.
//
// Why the column types cannot overflow (issue 14): every number an event carries is bounded by the contract
// (libs/contracts/src/lib/limits.ts) — minutes ≤ 1440, money ≤ 1e9, minutes saved ≤ 525,600, and any non-integer is 0
// or ≥ 1e-6. A rework's cost, minutes / 60 × hourly cost, is then between 1.7e-14 and 2.4e10: a normal double, so
// double-precision products neither overflow nor underflow (PostgreSQL raises on both), and a sum of 2^63 of them is
// about 2e29, far inside double precision; the rollups sum in numeric (exact, unbounded). Counts are int4: they grow
// with the number of events, never with a value, and reach 2^31 only with 2.1 billion events on one output, or in one
// tenant's day of one rollup cell. Property-tested with the extremes the contract admits (extreme-values.int-spec.ts).

/** Each rework kind and its columns on an output; `reworks`: it makes the output reworked (a double-check does not). */
export const REWORK_KINDS: readonly { kind: ReworkKind; count: string; minutes: string; reworks: boolean }[] = [
  { kind: 'correction', count: 'corrections', minutes: 'correction_minutes', reworks: true },
  { kind: 'rewrite', count: 'rewrites', minutes: 'rewrite_minutes', reworks: true },
  { kind: 'doubleCheck', count: 'double_checks', minutes: 'double_check_minutes', reworks: false },
  { kind: 'discard', count: 'discards', minutes: 'discard_minutes', reworks: true },
];
const REWORKING_KINDS = REWORK_KINDS.filter((kind) => kind.reworks);
const DOUBLE_CHECK = REWORK_KINDS.find((kind) => !kind.reworks) as (typeof REWORK_KINDS)[number];

/** The per-output columns a rework adds to: its kind's count and minutes, its cost (known, or minutes priced at the tenant default later). */
export const REWORK_COLUMNS = [...REWORK_KINDS.map((kind) => kind.count), ...REWORK_KINDS.map((kind) => kind.minutes), 'lost_cost_known', 'unknown_cost_minutes'];

/** Columns of a per-output row (alias `o`: the outputs, or a change of one), as SQL or as a TypeScript record. */
type Row = Readonly<Record<string, unknown>>;
const sumOf = (o: string, columns: readonly string[]) => `(${columns.map((column) => `${o}.${column}`).join(' + ')})`;
const sumOfJs = (row: Row, columns: readonly string[]) => columns.reduce((sum, column) => sum + Number(row[column]), 0);

/** A rework event's kind `kind` reworks its output (corrected, rewritten, discarded). */
export function reworksOutputSql(kind: string): string {
  return `${kind} IN (${REWORKING_KINDS.map((k) => `'${k.kind}'`).join(', ')})`;
}

/** An output is reworked: it has ≥ 1 corrected, rewritten or discarded event. */
export function reworkedSql(o: string): string {
  return `(${sumOf(o, REWORKING_KINDS.map((kind) => kind.count))} > 0)`;
}
export function isReworked(row: Row): boolean {
  return sumOfJs(row, REWORKING_KINDS.map((kind) => kind.count)) > 0;
}

/**
 * An output was reworked before `time`: its first corrected, rewritten or discarded event (`first_rework_at`, kept by
 * `reworkAggregates`) is earlier — training impact's "reworked as of asOf".
 */
export function reworkedBeforeSql(o: string, time: string): string {
  return `${o}.first_rework_at < ${time}`;
}

/** An output is double-checked: it has ≥ 1 double_checked event. */
export function doubleCheckedSql(o: string): string {
  return `(${o}.${DOUBLE_CHECK.count} > 0)`;
}

/** reworkMinutes of an output: the minutes of all four kinds (double-checking is lost time too). */
export function reworkMinutesSql(o: string): string {
  return sumOf(o, REWORK_KINDS.map((kind) => kind.minutes));
}

/** The rework minutes of training impact's activity: those of the kinds that rework an output (no double-checks). */
export function activityMinutesSql(o: string): string {
  return sumOf(o, REWORKING_KINDS.map((kind) => kind.minutes));
}
export function activityMinutesOf(row: Row): number {
  return sumOfJs(row, REWORKING_KINDS.map((kind) => kind.minutes));
}

/** The cost of `minutes` of rework at an hourly cost. */
function reworkCostSql(minutes: string, hourlyCost: string): string {
  return `${minutes} / 60.0 * ${hourlyCost}`;
}

/** lostCost of an output: its rework priced at each reworker's hourly cost, the tenant default (`defaultHourlyCost`) when unknown. */
export function lostCostSql(o: string, defaultHourlyCost: string, cast = ''): string {
  return `${o}.lost_cost_known${cast} + ${reworkCostSql(`${o}.unknown_cost_minutes${cast}`, defaultHourlyCost)}`;
}

/** Minutes saved by an output: its estimate, else the tenant's default for its task type (`defaultForTaskType`), else 0. */
export function savedMinutesSql(o: string, defaultForTaskType: string): string {
  return `COALESCE(${o}.minutes_saved_estimate, ${defaultForTaskType}, 0)`;
}

/**
 * The same summed over a rollup cell `c`: its estimated minutes plus, per task type (TASK_TYPES order), its outputs
 * without an estimate times that task type's default (`defaults`: a float8[] in that order).
 */
export function savedMinutesOfCellSql(c: string, defaults: string, cast = ''): string {
  return `${c}.estimated_saved_minutes${cast} + ${TASK_TYPES.map((_, i) => `${c}.unestimated_outputs[${i + 1}] * (${defaults})[${i + 1}]`).join(' + ')}`;
}

/**
 * The value of the time an output saved (Net AI value, PRODUCT.md "Connectors"): its saved minutes (`savedMinutesSql`)
 * priced at its author's hourly cost in effect at its generation (`author_hourly_cost`), the tenant default
 * (`defaultHourlyCost`) when unknown — the cost basis of lostCost.
 */
export function savedValueSql(o: string, defaultForTaskType: string, defaultHourlyCost: string): string {
  return reworkCostSql(savedMinutesSql(o, defaultForTaskType), `COALESCE(${o}.author_hourly_cost, ${defaultHourlyCost})`);
}

/**
 * The same summed over a rollup cell `c`, the tenant defaults as parameters: the value known (estimate and author's
 * cost), the estimated minutes of authors without a cost at `defaultHourlyCost`, and per task type (TASK_TYPES order,
 * `defaults` a float8[]) the outputs without an estimate at that task type's default, priced at their authors' costs
 * (summed) or, for those without, at `defaultHourlyCost`.
 */
export function savedValueOfCellSql(c: string, defaults: string, defaultHourlyCost: string, cast = ''): string {
  const unestimated = TASK_TYPES.map(
    (_, i) =>
      `${reworkCostSql(`(${defaults})[${i + 1}]`, `(${c}.unestimated_author_cost[${i + 1}]${cast} + ${c}.unestimated_unknown_cost_outputs[${i + 1}] * ${defaultHourlyCost})`)}`,
  );
  return `${c}.saved_value_known${cast} + ${reworkCostSql(`${c}.unknown_cost_saved_minutes${cast}`, defaultHourlyCost)} + ${unestimated.join(' + ')}`;
}

/**
 * The columns an output takes from its rework events `r` (kind, minutes, occurred_at), each priced at `hourlyCost`
 * (null: unknown), grouped by output: REWORK_COLUMNS, then first_rework_at (the time of its first rework that reworks
 * it: "reworked as of" a date). Every aggregate is 0, never null, over no row (first_rework_at excepted).
 */
export function reworkAggregates(r: string, hourlyCost: string): { column: string; sql: string }[] {
  return [
    ...REWORK_KINDS.map((kind) => ({ column: kind.count, sql: `count(*) FILTER (WHERE ${r}.kind = '${kind.kind}')` })),
    ...REWORK_KINDS.map((kind) => ({ column: kind.minutes, sql: `COALESCE(sum(${r}.minutes) FILTER (WHERE ${r}.kind = '${kind.kind}'), 0)` })),
    { column: 'lost_cost_known', sql: `COALESCE(sum(${reworkCostSql(`${r}.minutes`, hourlyCost)}) FILTER (WHERE ${hourlyCost} IS NOT NULL), 0)` },
    { column: 'unknown_cost_minutes', sql: `COALESCE(sum(${r}.minutes) FILTER (WHERE ${hourlyCost} IS NULL), 0)` },
    { column: 'first_rework_at', sql: `min(${r}.occurred_at) FILTER (WHERE ${reworksOutputSql(`${r}.kind`)})` },
  ];
}

/** The order of an employee's assignments, the one in effect first: latest effectiveFrom, ties by store order (latest). */
const IN_EFFECT_FIRST = 'a.effective_from DESC, a.store_transaction DESC, a.store_position DESC';

/** The assignment in effect for an employee at a time (a subquery of one row, or none): latest effectiveFrom ≤ time, ties broken by store order. */
export function assignmentAt(schema: string, tenant: string, employee: string, time: string, columns = '*'): string {
  return `SELECT ${columns} FROM "${schema}".assignments a
           WHERE a.tenant = ${tenant} AND a.employee_id = ${employee} AND a.effective_from <= ${time}
           ORDER BY ${IN_EFFECT_FIRST} LIMIT 1`;
}

/**
 * Every assignment of a tenant as the span of time it is in effect (the same rule, as intervals): `since` its
 * effectiveFrom, `until` the next one's of the same employee (null: still in effect); of assignments with the same
 * effectiveFrom, all but the last in store order span nothing. For a read over many rows and times at once (a hash
 * join on the employee, then {@link inEffectSql}), where one lookup per row would cost an index probe each. Of one
 * tenant (a SQL expression), or of every tenant (null: join on the tenant too).
 */
export function assignmentSpans(schema: string, tenant: string | null, columns: string): string {
  return `SELECT ${columns}, a.effective_from AS since,
                 lead(a.effective_from) OVER (PARTITION BY a.tenant, a.employee_id ORDER BY a.effective_from, a.store_transaction, a.store_position) AS until
            FROM "${schema}".assignments a${tenant === null ? '' : ` WHERE a.tenant = ${tenant}`}`;
}

/** SQL: span `span` (of {@link assignmentSpans}) is the assignment in effect at `time`. */
export function inEffectSql(span: string, time: string): string {
  return `${span}.since <= ${time} AND (${span}.until IS NULL OR ${span}.until > ${time})`;
}

/** An output author's hourly cost at its generation (a subquery of one row, `hourly_cost`, or none): their assignment in effect then. */
export function authorCostAt(schema: string, tenant: string, author: string, generatedAt: string): string {
  return assignmentAt(schema, tenant, author, generatedAt, 'a.hourly_cost');
}

/** The assignment in effect at a time of every employee of a tenant that had one then (the same rule, for all at once). */
export function assignmentsAt(schema: string, tenant: string, time: string, columns: string): string {
  return `SELECT DISTINCT ON (a.employee_id) ${columns} FROM "${schema}".assignments a
           WHERE a.tenant = ${tenant} AND a.effective_from <= ${time}
           ORDER BY a.employee_id, ${IN_EFFECT_FIRST}`;
}

/** The rollup dimensions kept per task type (and for every task type); `all` has the one value ''. */
export const ROLLUP_DIMENSIONS = ['all', 'team', 'tool', 'taskType', 'model'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

/**
 * The team × tool and team × model cells of the protected tables (privacy v2), kept for every task type only (the
 * tables cross team with one dimension at a time; team × task type is the `team` dimension per task type). Their value
 * is the team and the tool (model) joined by COMPOSITE_SEPARATOR.
 */
export const CROSSED_ROLLUP_DIMENSIONS = ['team×tool', 'team×model'] as const;
export type CrossedRollupDimension = (typeof CROSSED_ROLLUP_DIMENSIONS)[number];

/** The label of an output without a model. */
export const UNSPECIFIED_MODEL = '(unspecified)';
// A constant of the code (never input), written into the SQL as a literal.
export const UNSPECIFIED_MODEL_SQL = `'${UNSPECIFIED_MODEL.replace(/'/g, "''")}'`;

/**
 * Between the two values of a crossed cell: a control character, which the contract refuses in every identifier
 * (libs/contracts characters.ts), so a composite value splits back into its two values unambiguously.
 */
export const COMPOSITE_SEPARATOR = '\u001f';
/** The same in SQL (chr(31)). */
const COMPOSITE_SEPARATOR_SQL = `chr(${COMPOSITE_SEPARATOR.charCodeAt(0)})`;

/** The value of a crossed cell of a team and a tool (or model). */
export function compositeValue(team: string, other: string): string {
  return `${team}${COMPOSITE_SEPARATOR}${other}`;
}

/** `compositeValue` in SQL, of two text expressions. */
export function compositeValueSql(team: string, other: string): string {
  return `${team} || ${COMPOSITE_SEPARATOR_SQL} || ${other}`;
}

/** An output's value of each dimension (rollups, grouping and filtering alike), of an output row `o`. */
export function dimensionSql(o: string): Record<ReworkGroupBy | RollupDimension | CrossedRollupDimension, string> {
  const model = `COALESCE(${o}.model, ${UNSPECIFIED_MODEL_SQL})`;
  return {
    all: `''`,
    team: `${o}.team`,
    tool: `${o}.tool`,
    taskType: `${o}.task_type`,
    model,
    employee: `${o}.employee_id`,
    'team×tool': compositeValueSql(`${o}.team`, `${o}.tool`),
    'team×model': compositeValueSql(`${o}.team`, model),
  };
}

/** The same in TypeScript, of an output's values. */
export function dimensionValues(o: { team: string; tool: string; task_type: string; model: string | null }): Record<RollupDimension | CrossedRollupDimension, string> {
  const model = o.model ?? UNSPECIFIED_MODEL;
  return { all: '', team: o.team, tool: o.tool, taskType: o.task_type, model, 'team×tool': compositeValue(o.team, o.tool), 'team×model': compositeValue(o.team, model) };
}

/**
 * The sums a rollup cell keeps (summed over outputs, in numeric: exact, so adding and taking back are exact and the
 * order of batches does not matter), with their SQL over one output row `o` — the per-output figures every read
 * aggregates, rollup or not. Tenant defaults stay query-time parameters: rework by people without an hourly cost is
 * kept in minutes; the outputs without a saved-minutes estimate are counted per task type (`unestimated_outputs`).
 */
export function rollupSumsOfOutput(o: string): { column: string; sql: string; type: 'integer' | 'numeric' }[] {
  return [
    { column: 'outputs', sql: '1', type: 'integer' },
    { column: 'reworked_outputs', sql: `${reworkedSql(o)}::int`, type: 'integer' },
    { column: 'double_checked_outputs', sql: `${doubleCheckedSql(o)}::int`, type: 'integer' },
    ...REWORK_KINDS.map((kind) => ({ column: kind.count, sql: `${o}.${kind.count}`, type: 'integer' as const })),
    { column: 'rework_minutes', sql: reworkMinutesSql(o), type: 'numeric' },
    { column: 'lost_cost_known', sql: `${o}.lost_cost_known`, type: 'numeric' },
    { column: 'unknown_cost_minutes', sql: `${o}.unknown_cost_minutes`, type: 'numeric' },
    { column: 'estimated_saved_minutes', sql: `COALESCE(${o}.minutes_saved_estimate, 0)`, type: 'numeric' },
    // Saved time's value (see savedValueOfCellSql): what is known, and the estimated minutes of authors without a cost.
    {
      column: 'saved_value_known',
      sql: `COALESCE(${reworkCostSql(`${o}.minutes_saved_estimate`, `${o}.author_hourly_cost`)}, 0)`,
      type: 'numeric',
    },
    { column: 'unknown_cost_saved_minutes', sql: `CASE WHEN ${o}.author_hourly_cost IS NULL THEN COALESCE(${o}.minutes_saved_estimate, 0) ELSE 0 END`, type: 'numeric' },
  ];
}
/** The names of those sums, in order. */
export const ROLLUP_SUM_COLUMNS = rollupSumsOfOutput('o').map((sum) => sum.column);

/**
 * The sums a rollup cell keeps per task type, as arrays in TASK_TYPES order (the tenant's default minutes saved differ
 * by task type): an output adds its figure to its task type's element. Over the outputs without an estimate: how many,
 * their authors' hourly costs (summed), and how many of them have an author without one.
 */
export function rollupSumsByTaskTypeOfOutput(o: string): { column: string; sql: string; type: 'integer' | 'numeric' }[] {
  const unestimated = `${o}.minutes_saved_estimate IS NULL`;
  return [
    { column: 'unestimated_outputs', sql: `(${unestimated})::int`, type: 'integer' },
    { column: 'unestimated_author_cost', sql: `CASE WHEN ${unestimated} THEN COALESCE(${o}.author_hourly_cost, 0) ELSE 0 END`, type: 'numeric' },
    { column: 'unestimated_unknown_cost_outputs', sql: `(${unestimated} AND ${o}.author_hourly_cost IS NULL)::int`, type: 'integer' },
  ];
}
/** The names of those sums, in order. */
export const ROLLUP_TASK_TYPE_SUM_COLUMNS = rollupSumsByTaskTypeOfOutput('o').map((sum) => sum.column);
