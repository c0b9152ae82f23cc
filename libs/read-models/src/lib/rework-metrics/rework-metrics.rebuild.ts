import { normaliseIdentifier, type OutputGenerated, REWORK_EVENT_TYPES, type ReworkEvent, TASK_TYPES, UNASSIGNED_TEAM } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';
import { copyRows, type CopyValue, textArrayLiteral } from '../copy-rows';
import { assignmentSpans, dimensionSql, inEffectSql, REWORK_COLUMNS, reworkAggregates, ROLLUP_SUM_COLUMNS, ROLLUP_TASK_TYPE_SUM_COLUMNS, rollupSumsByTaskTypeOfOutput, rollupSumsOfOutput } from './rework-rules';
import {
  ACTIVITY_OF_DAY,
  COMPOSITE_SEPARATOR,
  compositeValueSql,
  CROSSED_ROLLUP_DIMENSIONS,
  EMPLOYEE_SAMPLE_SIZE,
  EVERY_TASK_TYPE,
  PACKED_DAYS,
  ROLLUP_DIMENSIONS,
  type CrossedRollupDimension,
  type RollupDimension,
} from './rework-rollups';

/**
 * The rework projection's bulk path, for a rebuild (and a first build): while the events are applied only the facts
 * are kept (`stageFacts`); at the end (`completeRebuild`, one transaction) the outputs and every rollup are derived
 * from them in set-based passes — the state the live path reaches batch by batch (see rework-metrics.projection.ts
 * and rework-rollups.ts), but for the last bits of fractional minutes summed in another order.
 */
export async function completeRebuild(client: PoolClient, schema: string): Promise<void> {
  // Sorts and hash aggregations over every output, and the index builds: memory for them, in this transaction only.
  // No JIT: these statements run once, on tables without statistics yet; compiling them cost more than it saved.
  await client.query(`SET LOCAL work_mem = '256MB'`);
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  await client.query(`SET LOCAL jit = off`);
  await withIndexesBuiltAfter(client, schema, DERIVED_TABLES, async () => {
    await deriveOutputs(client, schema);
    await rebuildRollups(client, schema);
  });
}

/** The tables `completeRebuild` fills from nothing: their indexes are built once they are full. */
const DERIVED_TABLES = ['outputs', 'daily_rollup', 'daily_samples', 'employee_months'];

/**
 * Runs `fill` with the indexes of `tables` (empty) dropped, then creates them again as they were (names, definitions,
 * primary keys): one sorted build of each index instead of an insertion per row, about half the price (issue 13).
 * In the caller's transaction, so that a failure leaves the schema as it was; `fill` must not need those indexes (the
 * derive statements read whole tables). A duplicate key fails the build as it would have failed the insert.
 */
async function withIndexesBuiltAfter(client: PoolClient, schema: string, tables: readonly string[], fill: () => Promise<void>): Promise<void> {
  const { rows: indexes } = await client.query<{ drop: string; create: string }>(
    `SELECT CASE WHEN c.oid IS NULL THEN format('DROP INDEX %I.%I', n.nspname, i.relname)
                 ELSE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', n.nspname, t.relname, c.conname) END AS drop,
            CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.oid)
                 ELSE format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid)) END AS create
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = t.oid AND c.contype IN ('p', 'u', 'x')
      WHERE n.nspname = $1 AND t.relname = ANY($2::text[])
      ORDER BY t.relname, i.relname`,
    [schema, tables],
  );
  for (const index of indexes) await client.query(index.drop);
  await fill();
  for (const index of indexes) await client.query(index.create);
}

/**
 * A rebuild's facts as they come: generated outputs staged in log order, rework events kept (both with COPY), each
 * under the normalised identifier it names: the links are resolved once, at the end (the latest link of each
 * identifier is what the live path ends with too).
 */
export async function stageFacts(client: PoolClient, schema: string, generated: readonly StoredEvent<OutputGenerated>[], reworks: readonly StoredEvent<ReworkEvent>[]): Promise<void> {
  await copyRows(
    client,
    `"${schema}".generated_while_rebuilding`,
    ['tenant', 'output_id', 'employee_id', 'team_id', 'tool', 'model', 'task_type', 'generated_at', 'minutes_saved_estimate'],
    generated.map((e) => [
      e.tenant,
      e.data.outputId,
      normaliseIdentifier(e.data.employeeId),
      e.data.teamId ?? null,
      e.data.tool,
      e.data.model ?? null,
      e.data.taskType,
      e.time.toISOString(),
      e.data.minutesSavedEstimate ?? null,
    ]),
  );
  await copyRows(
    client,
    `"${schema}".reworks`,
    ['tenant', 'output_id', 'kind', 'employee_id', 'minutes', 'occurred_at'],
    reworks.map((e) => [
      e.tenant,
      e.data.outputId,
      REWORK_EVENT_TYPES[e.type],
      normaliseIdentifier(e.data.employeeId),
      e.data.minutesSpent,
      e.time.toISOString(),
    ]),
  );
}

/**
 * The end of a rebuild: the rework kept re-attributed through the final identity links, then every output from the
 * facts staged, in one statement — the first generation of each output, its employee resolved through the final links,
 * its team resolved and its rework priced against the final assignments (what the live path reaches through its
 * re-attributions and re-costings), an output reworked but never generated kept as a placeholder, as the live path keeps it.
 */
async function deriveOutputs(client: PoolClient, schema: string): Promise<void> {
  await client.query(
    `UPDATE "${schema}".reworks r SET employee_id = l.employee_id, identifier = r.employee_id
       FROM "${schema}".identity_links l
      WHERE l.tenant = r.tenant AND l.identifier = r.employee_id AND l.employee_id <> r.employee_id`,
  );
  // The assignment in effect at each output's time (its team, its author's hourly cost) and at each rework's time (the
  // worker's hourly cost): hash joins on the assignments' spans, not an index probe per row (7.7 s → 0.9 s for the
  // authors' cost of 1M outputs, measured in review).
  const spans = assignmentSpans(schema, null, 'a.tenant, a.employee_id, a.team_id, a.hourly_cost');
  const aggregated = reworkAggregates('r', 'worker.hourly_cost');
  await client.query(
    `INSERT INTO "${schema}".outputs
       (tenant, output_id, generated, employee_id, identifier, team_id, team, tool, model, task_type, generated_at, minutes_saved_estimate, author_hourly_cost,
        ${aggregated.map((a) => a.column).join(', ')})
     SELECT COALESCE(g.tenant, w.tenant), COALESCE(g.output_id, w.output_id), g.output_id IS NOT NULL, g.employee_id, g.identifier, g.team_id,
            CASE WHEN g.output_id IS NOT NULL THEN COALESCE(g.team_id, g.assigned_team, $1) END,
            g.tool, g.model, g.task_type, g.generated_at, g.minutes_saved_estimate, g.author_hourly_cost,
            ${REWORK_COLUMNS.map((column) => `COALESCE(w.${column}, 0)`).join(', ')}, w.first_rework_at
       FROM (
         SELECT o.*, author.team_id AS assigned_team, author.hourly_cost AS author_hourly_cost
           FROM (
             SELECT s.tenant, s.output_id, COALESCE(l.employee_id, s.employee_id) AS employee_id, NULLIF(s.employee_id, COALESCE(l.employee_id, s.employee_id)) AS identifier,
                    s.team_id, s.tool, s.model, s.task_type, s.generated_at, s.minutes_saved_estimate
               FROM (SELECT DISTINCT ON (tenant, output_id) * FROM "${schema}".generated_while_rebuilding ORDER BY tenant, output_id, seq) s
               LEFT JOIN "${schema}".identity_links l ON l.tenant = s.tenant AND l.identifier = s.employee_id
           ) o
           LEFT JOIN (${spans}) author ON author.tenant = o.tenant AND author.employee_id = o.employee_id AND ${inEffectSql('author', 'o.generated_at')}
       ) g
       FULL JOIN (
         SELECT r.tenant, r.output_id, ${aggregated.map((a) => `${a.sql} AS ${a.column}`).join(', ')}
           FROM "${schema}".reworks r
           LEFT JOIN (${spans}) worker ON worker.tenant = r.tenant AND worker.employee_id = r.employee_id AND ${inEffectSql('worker', 'r.occurred_at')}
          GROUP BY r.tenant, r.output_id
       ) w ON w.tenant = g.tenant AND w.output_id = g.output_id`,
    [UNASSIGNED_TEAM],
  );
  await client.query(`TRUNCATE "${schema}".generated_while_rebuilding`);
}

/**
 * Derives every rollup from the outputs in set-based passes: what a rebuild runs once at its end, instead of applying
 * each batch's changes (the same figures; tested by rebuilding a read model kept up batch by batch). The caller's
 * transaction gives it memory for its sorts and hash aggregations (`SET LOCAL work_mem`).
 */
async function rebuildRollups(client: PoolClient, schema: string): Promise<void> {
  const key = 'tenant, dimension, day, value, task_type';
  await client.query(
    `TRUNCATE "${schema}".daily_rollup, "${schema}".daily_samples, "${schema}".employee_months, "${schema}".fact_extent`,
  );
  await rebuildSamples(client, schema);
  // Sums: per output cell first (the counts in int4, cheaper to add up than the bigint of sum(int4): a rollup cell's
  // counts are int4 columns, each a sum of these; the minutes and costs exact, in numeric: see `exactly`), then every
  // rollup cell in one pass of grouping sets (hashed). The set by task type alone gives three rollup rows: every
  // dimension's, the task type's own, and the task type's '*'.
  // GROUPING(team, tool, model): a bit set per dimension rolled up (team 4, tool 2, model 1).
  const sets = `GROUPING(b.team, b.tool, b.model)`;
  const bySet = `CASE ${sets} WHEN 1 THEN 'team×tool' WHEN 2 THEN 'team×model' WHEN 3 THEN 'team' WHEN 5 THEN 'tool' WHEN 6 THEN 'model' ELSE 'all' END`;
  // b's model is already the model's label: its value of each dimension is that of an output with those columns.
  const of = dimensionSql('b');
  const valueOfSet = `CASE ${sets} WHEN 1 THEN ${of['team×tool']} WHEN 2 THEN ${compositeValueSql('b.team', 'b.model')}
    WHEN 3 THEN ${of.team} WHEN 5 THEN ${of.tool} WHEN 6 THEN b.model ELSE ${of.all} END`;
  const dimensions = dimensionSql('o');
  // Every cell's sums (materialized), then joined with its sample on the cell's whole key, in a hash join: asked to plan
  // the join on tables without statistics (nor indexes: see withIndexesBuiltAfter), the planner may otherwise join the
  // samples on (tenant, day) alone and filter millions of pairs.
  await client.query(`SET LOCAL enable_mergejoin = off`);
  await client.query(`SET LOCAL enable_nestloop = off`);
  await client.query(
    `WITH cells AS MATERIALIZED (
       SELECT sums.tenant, cell.dimension, sums.day, cell.value, cell.task_type, ${ROLLUP_SUM_COLUMNS.map((column) => `sums.${column}`).join(', ')},
              ${ROLLUP_TASK_TYPE_SUM_COLUMNS.map((column) => `sums.${column}`).join(', ')}
         FROM (
           SELECT b.tenant, b.day, ${bySet} AS dimension, ${valueOfSet} AS value,
                  CASE WHEN GROUPING(b.task_type) = 0 THEN b.task_type ELSE '${EVERY_TASK_TYPE}' END AS task_type,
                  ${ROLLUP_SUM_COLUMNS.map((column) => `sum(b.${column}) AS ${column}`).join(', ')},
                  ${rollupSumsByTaskTypeOfOutput('o').map((sum) => `ARRAY[${TASK_TYPES.map((taskType) => `COALESCE(sum(b.${sum.column}) FILTER (WHERE b.task_type = '${taskType}'), 0)`).join(', ')}]::${sum.type === 'integer' ? 'int' : 'numeric'}[] AS ${sum.column}`).join(', ')},
                  GROUPING(b.team, b.tool, b.model) = 7 AND GROUPING(b.task_type) = 0 AS by_task_type_alone
             FROM (
               SELECT o.tenant, (o.generated_at AT TIME ZONE 'UTC')::date AS day, o.team, o.tool, o.task_type, ${dimensions.model} AS model,
                      ${rollupSumsOfOutput('o').map((sum) => `${sum.type === 'numeric' ? `sum(${exactly(sum.sql)})` : `sum(${sum.sql})::int`} AS ${sum.column}`).join(', ')},
                      ${rollupSumsByTaskTypeOfOutput('o').map((sum) => `${sum.type === 'numeric' ? `sum(${exactly(sum.sql)})` : `sum(${sum.sql})::int`} AS ${sum.column}`).join(', ')}
                 FROM "${schema}".outputs o WHERE o.generated
                GROUP BY 1, 2, 3, 4, 5, 6
             ) b
            GROUP BY b.tenant, b.day, GROUPING SETS ((), (b.task_type), (b.team), (b.team, b.task_type), (b.tool), (b.tool, b.task_type), (b.model), (b.model, b.task_type),
                                           (b.team, b.tool), (b.team, b.model))
         ) sums
         CROSS JOIN LATERAL (
           SELECT sums.dimension, sums.value, sums.task_type
           UNION ALL SELECT 'taskType', sums.task_type, sums.task_type WHERE sums.by_task_type_alone
           UNION ALL SELECT 'taskType', sums.task_type, '${EVERY_TASK_TYPE}' WHERE sums.by_task_type_alone
         ) cell
     )
     INSERT INTO "${schema}".daily_rollup (${key}, ${ROLLUP_SUM_COLUMNS.join(', ')}, ${ROLLUP_TASK_TYPE_SUM_COLUMNS.join(', ')}, sample_size)
     SELECT ${key}, ${ROLLUP_SUM_COLUMNS.join(', ')}, ${ROLLUP_TASK_TYPE_SUM_COLUMNS.join(', ')}, cardinality(s.employee_sample)
       FROM cells JOIN "${schema}".daily_samples s USING (${key})`,
  );
  await client.query(`SET LOCAL enable_mergejoin TO DEFAULT`);
  await client.query(`SET LOCAL enable_nestloop TO DEFAULT`);
  await client.query(
    `INSERT INTO "${schema}".employee_months (tenant, employee_id, month, activity)
     SELECT tenant, employee_id, month, ${PACKED_DAYS}
       FROM (
         SELECT o.tenant, o.employee_id, date_trunc('month', o.generated_at AT TIME ZONE 'UTC')::date AS month, ${ACTIVITY_OF_DAY}
           FROM "${schema}".outputs o WHERE o.generated
          GROUP BY 1, 2, 3, 4
       ) days
      GROUP BY 1, 2, 3`,
  );
  // The latest fact of each tenant: its latest output or rework (a batch extends it as it goes; a rebuild derives it).
  await client.query(
    `INSERT INTO "${schema}".fact_extent (tenant, latest_fact_at)
     SELECT tenant, max(at) FROM (
       SELECT tenant, max(generated_at) AS at FROM "${schema}".outputs WHERE generated GROUP BY tenant
       UNION ALL SELECT tenant, max(occurred_at) FROM "${schema}".reworks GROUP BY tenant
     ) latest GROUP BY tenant`,
  );
}

/**
 * A float8 figure as the numeric the rollups sum, as `(figure)::numeric` gives it — without converting the zeros (most
 * outputs are not reworked): a float8 becomes a numeric through its text, a costly step repeated for every output. The
 * same value either way, scale included (0 and -0 both give the numeric 0).
 */
function exactly(figure: string): string {
  return `CASE WHEN ${figure} = 0 THEN 0::numeric ELSE (${figure})::numeric END`;
}

/** Rows fetched at a time by the rebuild of the samples, and cells written at a time. */
const SAMPLE_FETCH_ROWS = 20_000;
const SAMPLE_WRITE_CELLS = 10_000;

/**
 * Every cell's sample in one sorted read of the outputs: by tenant, day and employee, so that each cell meets its
 * employees in order and keeps the first EMPLOYEE_SAMPLE_SIZE (its smallest, byte order) — one sort instead of one per
 * dimension and task key. A day's cells are held in memory until the next day starts; the samples are written with COPY.
 */
async function rebuildSamples(client: PoolClient, schema: string): Promise<void> {
  // Byte order throughout: the sort only has to bring each day's rows together, by employee.
  await client.query(
    `DECLARE rollup_sample_source NO SCROLL CURSOR FOR
     SELECT DISTINCT o.tenant COLLATE "C", (o.generated_at AT TIME ZONE 'UTC')::date::text AS day, o.employee_id COLLATE "C",
            o.team COLLATE "C", o.tool COLLATE "C", o.task_type COLLATE "C", ${dimensionSql('o').model} COLLATE "C"
       FROM "${schema}".outputs o WHERE o.generated
      ORDER BY 1, 2, 3`,
  );
  let samples: CopyValue[][] = [];
  const write = async () => {
    const rows = samples;
    samples = [];
    await copyRows(client, `"${schema}".daily_samples`, ['tenant', 'day', 'dimension', 'value', 'task_type', 'employee_sample'], rows);
  };
  type Cell = { dimension: RollupDimension | CrossedRollupDimension; value: string; taskType: string; employees: string[] };
  // A day's cells: per dimension, per value, the cell of every task type ('*') and those of each task type.
  type ValueCells = { every: Cell; byTaskType: Map<string, Cell> };
  let tenant = '';
  let day = '';
  let cells = ROLLUP_DIMENSIONS.map(() => new Map<string, ValueCells>());
  // The crossed cells (team × tool, team × model) of the day: every task type only.
  let crossedCells = CROSSED_ROLLUP_DIMENSIONS.map(() => new Map<string, Cell>());
  const closeDay = async () => {
    for (const byValue of cells) {
      for (const { every, byTaskType } of byValue.values()) {
        for (const { dimension, value, taskType, employees } of [every, ...byTaskType.values()]) {
          samples.push([tenant, day, dimension, value, taskType, textArrayLiteral(employees)]);
        }
      }
    }
    for (const byValue of crossedCells) {
      for (const { dimension, value, taskType, employees } of byValue.values()) samples.push([tenant, day, dimension, value, taskType, textArrayLiteral(employees)]);
    }
    cells = ROLLUP_DIMENSIONS.map(() => new Map<string, ValueCells>());
    crossedCells = CROSSED_ROLLUP_DIMENSIONS.map(() => new Map<string, Cell>());
    if (samples.length >= SAMPLE_WRITE_CELLS) await write();
  };
  // The rows come by employee within a day: a repeat of the same employee in a cell is its last entry.
  const add = (cell: Cell, employee: string) => {
    const employees = cell.employees;
    if (employees.length < EMPLOYEE_SAMPLE_SIZE && employees[employees.length - 1] !== employee) employees.push(employee);
  };
  for (;;) {
    const { rows } = await client.query<string[]>({ text: `FETCH ${SAMPLE_FETCH_ROWS} FROM rollup_sample_source`, rowMode: 'array' });
    for (const row of rows) {
      const [rowTenant, rowDay, employee, , , taskType] = row;
      if (rowTenant !== tenant || rowDay !== day) {
        await closeDay();
        tenant = rowTenant;
        day = rowDay;
      }
      for (let d = 0; d < ROLLUP_DIMENSIONS.length; d++) {
        // The row's value of dimension d: all → '', then team, tool, task type, model (columns 3 to 6).
        const value = d === 0 ? '' : row[d + 2];
        let valueCells = cells[d].get(value);
        if (valueCells === undefined) {
          const dimension = ROLLUP_DIMENSIONS[d];
          valueCells = { every: { dimension, value, taskType: EVERY_TASK_TYPE, employees: [] }, byTaskType: new Map() };
          cells[d].set(value, valueCells);
        }
        let cell = valueCells.byTaskType.get(taskType);
        if (cell === undefined) valueCells.byTaskType.set(taskType, (cell = { dimension: ROLLUP_DIMENSIONS[d], value, taskType, employees: [] }));
        add(cell, employee);
        add(valueCells.every, employee);
      }
      for (let d = 0; d < CROSSED_ROLLUP_DIMENSIONS.length; d++) {
        // team (column 3) with the tool (column 4), then with the model (column 6).
        const value = `${row[3]}${COMPOSITE_SEPARATOR}${row[d === 0 ? 4 : 6]}`;
        let cell = crossedCells[d].get(value);
        if (cell === undefined) crossedCells[d].set(value, (cell = { dimension: CROSSED_ROLLUP_DIMENSIONS[d], value, taskType: EVERY_TASK_TYPE, employees: [] }));
        add(cell, employee);
      }
    }
    if (rows.length < SAMPLE_FETCH_ROWS) break;
  }
  await closeDay();
  await write();
  await client.query('CLOSE rollup_sample_source');
}
