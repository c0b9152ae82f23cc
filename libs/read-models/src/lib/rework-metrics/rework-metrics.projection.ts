import {
  type EmployeeAssigned,
  type EmployeeIdentityLinked,
  type IdentityLink,
  normaliseIdentifier,
  type OutputGenerated,
  REWORK_EVENT_TYPES,
  type ReworkEvent,
  UNASSIGNED_TEAM,
} from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { ApplyContext, Projection } from '@rework-ledger/projections';
import type { PoolClient } from 'pg';
import { createIdentityLinksTable, resolvedEmployeeLateral, saveIdentityLinks } from '../identity/identity-links';
import { completeRebuild, stageFacts } from './rework-metrics.rebuild';
import { assignmentAt, authorCostAt, REWORK_COLUMNS, reworkAggregates } from './rework-rules';
import { applyOutputChanges, changesOf, createRollupTables, extendFacts, type OutputChange, RETURNING_CHANGES, withoutStatisticsSql } from './rework-rollups';

/** The events the rework read model reads: outputs generated, their rework, assignments and identity links. */
export type ReworkMetricsEvent = OutputGenerated | ReworkEvent | EmployeeAssigned | EmployeeIdentityLinked;

/**
 * Per-output rework facts, with the output's team and the cost of its rework resolved as the events arrive: the
 * metrics query is then one aggregation over one table. Late facts re-resolve what they change: an
 * `employee.assigned` re-attributes that employee's outputs and re-costs the rework they did; a rework re-costs its
 * output; an `employee.identity_linked` re-attributes the outputs and the rework recorded under the identifier it links
 * (PRODUCT.md, "Identity": every identifier is normalised, and resolved through the latest link of it). The rework
 * events, the assignment history and the links are kept for that; an output or rework keeps the identifier it was
 * recorded under in `identifier` when a link made it someone else's (null: its `employee_id` is that identifier). Rollups for the read side (per day, per
 * employee and month) take what each statement changed: see `rework-rollups.ts`. A rebuild instead keeps the facts
 * as they come and derives the outputs and the rollups at its end: see `rework-metrics.rebuild.ts`.
 */
export const reworkMetricsProjection: Projection<ReworkMetricsEvent> = {
  name: 'rework-metrics',
  schema: 'rm_rework',
  version: 11,
  handles: ['ai.output.generated', ...(Object.keys(REWORK_EVENT_TYPES) as (keyof typeof REWORK_EVENT_TYPES)[]), 'employee.assigned', 'employee.identity_linked'],

  async createTables(client: PoolClient, schema: string): Promise<void> {
    await client.query(`
      CREATE TABLE "${schema}".outputs (
        tenant text NOT NULL,
        output_id text NOT NULL,
        generated boolean NOT NULL DEFAULT false,
        employee_id text,
        -- the identifier the output was recorded under, when a link made it another employee's (else employee_id is it)
        identifier text,
        team_id text,
        -- the output's team: its teamId, else its author's team in effect at its time, else (unassigned)
        team text,
        tool text,
        model text,
        task_type text,
        generated_at timestamptz,
        minutes_saved_estimate double precision,
        -- the author's hourly cost in effect at its generation (null: unknown, the tenant default): the value of time saved
        author_hourly_cost double precision,
        corrections integer NOT NULL DEFAULT 0,
        rewrites integer NOT NULL DEFAULT 0,
        double_checks integer NOT NULL DEFAULT 0,
        discards integer NOT NULL DEFAULT 0,
        correction_minutes double precision NOT NULL DEFAULT 0,
        rewrite_minutes double precision NOT NULL DEFAULT 0,
        double_check_minutes double precision NOT NULL DEFAULT 0,
        discard_minutes double precision NOT NULL DEFAULT 0,
        -- cost of the rework done by people whose hourly cost is known, and minutes of the rest (tenant default)
        lost_cost_known double precision NOT NULL DEFAULT 0,
        unknown_cost_minutes double precision NOT NULL DEFAULT 0,
        -- time of the first corrected, rewritten or discarded event: "reworked as of" a date (training impact)
        first_rework_at timestamptz,
        PRIMARY KEY (tenant, output_id)
      );
      CREATE INDEX ON "${schema}".outputs (tenant, generated_at) WHERE generated;
      CREATE INDEX ON "${schema}".outputs (tenant, employee_id, generated_at);
      CREATE INDEX ON "${schema}".outputs (tenant, identifier) WHERE identifier IS NOT NULL;
      CREATE TABLE "${schema}".reworks (
        tenant text NOT NULL,
        output_id text NOT NULL,
        kind text NOT NULL,
        employee_id text NOT NULL,
        minutes double precision NOT NULL,
        occurred_at timestamptz NOT NULL,
        -- as on outputs: the identifier the rework was recorded under, when a link made it another employee's
        identifier text
      );
      CREATE INDEX ON "${schema}".reworks (tenant, output_id);
      CREATE INDEX ON "${schema}".reworks (tenant, employee_id);
      CREATE INDEX ON "${schema}".reworks (tenant, identifier) WHERE identifier IS NOT NULL;
      CREATE TABLE "${schema}".assignments (
        tenant text NOT NULL,
        employee_id text NOT NULL,
        team_id text NOT NULL,
        hourly_cost double precision,
        effective_from timestamptz NOT NULL,
        store_transaction bigint NOT NULL,
        store_position bigint NOT NULL
      );
      CREATE INDEX ON "${schema}".assignments (tenant, employee_id, effective_from DESC, store_transaction DESC, store_position DESC);
      -- Filled only while a rebuild applies events (outputs as generated, in log order), emptied when it completes.
      CREATE UNLOGGED TABLE "${schema}".generated_while_rebuilding (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant text NOT NULL,
        output_id text NOT NULL,
        -- the identifier recorded (the rebuild resolves it at its end)
        employee_id text NOT NULL,
        team_id text,
        tool text NOT NULL,
        model text,
        task_type text NOT NULL,
        generated_at timestamptz NOT NULL,
        minutes_saved_estimate double precision
      );
    `);
    await client.query(withoutStatisticsSql(schema, 'outputs', [...REWORK_COLUMNS, 'minutes_saved_estimate', 'author_hourly_cost']));
    await createRollupTables(client, schema);
    await createIdentityLinksTable(client, schema);
  },

  async apply(client: PoolClient, schema: string, events: readonly StoredEvent<ReworkMetricsEvent>[], context?: ApplyContext): Promise<void> {
    const generated = new Map<string, StoredEvent<OutputGenerated>>();
    const reworks: StoredEvent<ReworkEvent>[] = [];
    const assignments: StoredEvent<EmployeeAssigned>[] = [];
    const links: StoredEvent<EmployeeIdentityLinked>[] = [];
    const changes: OutputChange[] = [];

    for (const event of events) {
      switch (event.type) {
        case 'ai.output.generated': {
          // The first generation of an output id wins; later ones are repeats of the same output.
          const outputKey = `${event.tenant}\u0000${event.data.outputId}`;
          if (!generated.has(outputKey)) generated.set(outputKey, event);
          break;
        }
        case 'ai.output.corrected':
        case 'ai.output.rewritten':
        case 'ai.output.double_checked':
        case 'ai.output.discarded':
          reworks.push(event);
          break;
        case 'employee.assigned':
          assignments.push(event);
          break;
        case 'employee.identity_linked':
          links.push(event);
          break;
      }
    }

    // Links first, as assignments: the batch's outputs and rework resolve against them; what was recorded before under
    // the identifiers they link is re-attributed below.
    const linked = await saveIdentityLinks(client, schema, links);

    // Assignments first: outputs and rework of this batch are resolved against them.
    if (assignments.length > 0) {
      await client.query(
        `INSERT INTO "${schema}".assignments (tenant, employee_id, team_id, hourly_cost, effective_from, store_transaction, store_position)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::timestamptz[], $6::bigint[], $7::bigint[])`,
        [
          assignments.map((e) => e.tenant),
          assignments.map((e) => normaliseIdentifier(e.data.employeeId)),
          assignments.map((e) => e.data.teamId),
          assignments.map((e) => e.data.hourlyCost ?? null),
          assignments.map((e) => e.data.effectiveFrom ?? e.time.toISOString()),
          assignments.map((e) => e.position.transactionId.toString()),
          assignments.map((e) => e.position.globalPosition.toString()),
        ],
      );
    }

    if (context?.rebuilding) {
      // A rebuild keeps the facts as they come and derives the outputs, their team and cost, and the rollups at its end.
      await stageFacts(client, schema, [...generated.values()], reworks);
      return;
    }

    const facts: { tenant: string; at: string }[] = [];
    if (generated.size > 0) {
      const rows = [...generated.values()];
      const result = await client.query<OutputChange>(
        changesOf(
          schema,
          `changed AS (
         INSERT INTO "${schema}".outputs AS o
           (tenant, output_id, generated, employee_id, identifier, team_id, team, tool, model, task_type, generated_at, minutes_saved_estimate, author_hourly_cost)
         SELECT t, id, true, who.employee_id, NULLIF(u.e, who.employee_id), team, COALESCE(team, author.team_id, $10), tool, model, task, gen_at, saved, author.hourly_cost
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::float8[])
             AS u(t, id, e, team, tool, model, task, gen_at, saved)
           ${resolvedEmployeeLateral(schema, 'u.t', 'u.e', 'who')}
           -- One lookup of the author's assignment in effect: its team (for an output without one) and its hourly cost.
           LEFT JOIN LATERAL (${assignmentAt(schema, 'u.t', 'who.employee_id', 'u.gen_at', 'a.team_id, a.hourly_cost')}) author ON true
         ON CONFLICT (tenant, output_id) DO UPDATE
           SET generated = true, employee_id = EXCLUDED.employee_id, identifier = EXCLUDED.identifier, team_id = EXCLUDED.team_id, team = EXCLUDED.team,
               tool = EXCLUDED.tool, model = EXCLUDED.model, task_type = EXCLUDED.task_type, generated_at = EXCLUDED.generated_at,
               minutes_saved_estimate = EXCLUDED.minutes_saved_estimate, author_hourly_cost = EXCLUDED.author_hourly_cost
           WHERE NOT o.generated
         RETURNING ${RETURNING_CHANGES})`,
          { before: false },
        ),
        [
          rows.map((e) => e.tenant),
          rows.map((e) => e.data.outputId),
          rows.map((e) => normaliseIdentifier(e.data.employeeId)),
          rows.map((e) => e.data.teamId ?? null),
          rows.map((e) => e.data.tool),
          rows.map((e) => e.data.model ?? null),
          rows.map((e) => e.data.taskType),
          rows.map((e) => e.time.toISOString()),
          rows.map((e) => e.data.minutesSavedEstimate ?? null),
          UNASSIGNED_TEAM,
        ],
      );
      changes.push(...result.rows);
      // Facts that moved the read model: outputs generated for the first time (a repeat changes nothing).
      facts.push(...result.rows.map((row) => ({ tenant: row.tenant, at: row.generated_at.toISOString() })));
    }

    if (reworks.length > 0) {
      // One statement: keep the rework events, price each at the hourly cost in effect for whoever did it, and add
      // counts, minutes and cost to its output (a placeholder row when the output has not arrived yet).
      const aggregated = reworkAggregates('priced', 'priced.hourly_cost');
      const result = await client.query<OutputChange>(
        changesOf(
          schema,
          `recorded AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::timestamptz[])
             AS r(tenant, output_id, kind, identifier, minutes, occurred_at)
         ),
         r AS (
           SELECT recorded.tenant, recorded.output_id, recorded.kind, who.employee_id, recorded.minutes, recorded.occurred_at,
                  NULLIF(recorded.identifier, who.employee_id) AS identifier
             FROM recorded ${resolvedEmployeeLateral(schema, 'recorded.tenant', 'recorded.identifier', 'who')}
         ),
         kept AS (INSERT INTO "${schema}".reworks (tenant, output_id, kind, employee_id, minutes, occurred_at, identifier) SELECT * FROM r),
         priced AS (
           SELECT r.*, worker.hourly_cost FROM r
             LEFT JOIN LATERAL (${assignmentAt(schema, 'r.tenant', 'r.employee_id', 'r.occurred_at', 'a.hourly_cost')}) worker ON true
         ),
         changed AS (
         INSERT INTO "${schema}".outputs AS o (tenant, output_id, ${aggregated.map((a) => a.column).join(', ')})
         SELECT priced.tenant, priced.output_id, ${aggregated.map((a) => a.sql).join(', ')}
           FROM priced GROUP BY priced.tenant, priced.output_id
         ON CONFLICT (tenant, output_id) DO UPDATE SET
           ${REWORK_COLUMNS.map((column) => `${column} = o.${column} + EXCLUDED.${column}`).join(', ')},
           first_rework_at = LEAST(o.first_rework_at, EXCLUDED.first_rework_at)
         RETURNING ${RETURNING_CHANGES})`,
        ),
        [
          reworks.map((e) => e.tenant),
          reworks.map((e) => e.data.outputId),
          reworks.map((e) => REWORK_EVENT_TYPES[e.type]),
          reworks.map((e) => normaliseIdentifier(e.data.employeeId)),
          reworks.map((e) => e.data.minutesSpent),
          reworks.map((e) => e.time.toISOString()),
        ],
      );
      changes.push(...result.rows);
    }

    if (assignments.length > 0) {
      const tenants = assignments.map((e) => e.tenant);
      const employees = assignments.map((e) => normaliseIdentifier(e.data.employeeId));
      // A late assignment re-attributes its employee's outputs that carry no team of their own (those whose team changes).
      const reattributed = await client.query<OutputChange>(
        changesOf(
          schema,
          `resolved AS (
             SELECT p.tenant, p.output_id, COALESCE((${assignmentAt(schema, 'p.tenant', 'p.employee_id', 'p.generated_at', 'team_id')}), $3) AS team
               FROM "${schema}".outputs p
               JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS x(tenant, employee_id)) assigned
                 ON p.tenant = assigned.tenant AND p.employee_id = assigned.employee_id
              WHERE p.generated AND p.team_id IS NULL
           ),
           changed AS (
             UPDATE "${schema}".outputs o SET team = resolved.team FROM resolved
              WHERE o.tenant = resolved.tenant AND o.output_id = resolved.output_id AND o.team IS DISTINCT FROM resolved.team
             RETURNING ${RETURNING_CHANGES})`,
        ),
        [tenants, employees, UNASSIGNED_TEAM],
      );
      changes.push(...reattributed.rows);
      // And prices again the time saved by their outputs, at the author's hourly cost now in effect at each output's time.
      const repriced = await client.query<OutputChange>(
        changesOf(
          schema,
          `resolved AS (
             SELECT p.tenant, p.output_id, (${authorCostAt(schema, 'p.tenant', 'p.employee_id', 'p.generated_at')}) AS hourly_cost
               FROM "${schema}".outputs p
               JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS x(tenant, employee_id)) assigned
                 ON p.tenant = assigned.tenant AND p.employee_id = assigned.employee_id
              WHERE p.generated
           ),
           changed AS (
             UPDATE "${schema}".outputs o SET author_hourly_cost = resolved.hourly_cost FROM resolved
              WHERE o.tenant = resolved.tenant AND o.output_id = resolved.output_id AND o.author_hourly_cost IS DISTINCT FROM resolved.hourly_cost
             RETURNING ${RETURNING_CHANGES})`,
        ),
        [tenants, employees],
      );
      changes.push(...repriced.rows);
      const recosted = await recostOutputs(
        client,
        schema,
        `SELECT DISTINCT r.tenant, r.output_id FROM "${schema}".reworks r
           JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS x(tenant, employee_id)) assigned
             ON r.tenant = assigned.tenant AND r.employee_id = assigned.employee_id`,
        [tenants, employees],
      );
      changes.push(...recosted);
    }

    if (linked.length > 0) changes.push(...(await reattributeLinked(client, schema, linked)));

    facts.push(...reworks.map((e) => ({ tenant: e.tenant, at: e.time.toISOString() })));
    await extendFacts(
      client,
      schema,
      facts.map((fact) => fact.tenant),
      facts.map((fact) => fact.at),
    );
    await applyOutputChanges(client, schema, changes);
  },

  completeRebuild,
};

/**
 * SQL: the rows of `table` (outputs or reworks) recorded under a link's identifier (`identifier`, or `employee_id` when
 * that is null) and not yet its employee's, with the link's columns: two equality joins (each on an index), never an
 * `OR` across both, which only the tenant could join on (every row against every link of a batch).
 */
function recordedUnderLinks(schema: string, table: 'outputs' | 'reworks', key: string, links: string): string {
  const under = (match: string) => `SELECT ${key}, l.identifier AS linked_identifier, l.employee_id AS linked_employee
      FROM (${links}) l JOIN "${schema}".${table} x ON x.tenant = l.tenant AND ${match}
     WHERE x.employee_id IS DISTINCT FROM l.employee_id`;
  return `${under('x.identifier = l.identifier')} UNION ALL ${under('x.identifier IS NULL AND x.employee_id = l.identifier')}`;
}

/**
 * Re-attributes to the linked employee what was recorded under the links' identifiers before: the outputs (their
 * team again, from the employee's assignments, unless they name their own, and the hourly cost their saved time is
 * priced at) and the rework (its outputs re-costed at the employee's hourly cost). Answers the outputs changed.
 */
async function reattributeLinked(client: PoolClient, schema: string, linked: readonly IdentityLink[]): Promise<OutputChange[]> {
  const links = `SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS l(tenant, identifier, employee_id)`;
  const parameters = [linked.map((link) => link.tenant), linked.map((link) => link.identifier), linked.map((link) => link.employeeId)];
  const outputs = await client.query<OutputChange>(
    changesOf(
      schema,
      `moved AS (${recordedUnderLinks(schema, 'outputs', 'x.tenant, x.output_id', links)}),
       changed AS (
         UPDATE "${schema}".outputs o
            SET employee_id = m.linked_employee, identifier = NULLIF(m.linked_identifier, m.linked_employee),
                team = CASE WHEN o.team_id IS NOT NULL THEN o.team
                            ELSE COALESCE((${assignmentAt(schema, 'o.tenant', 'm.linked_employee', 'o.generated_at', 'a.team_id')}), $4) END,
                author_hourly_cost = (${authorCostAt(schema, 'o.tenant', 'm.linked_employee', 'o.generated_at')})
           FROM moved m
          WHERE o.tenant = m.tenant AND o.output_id = m.output_id AND o.generated
         RETURNING ${RETURNING_CHANGES})`,
    ),
    [...parameters, UNASSIGNED_TEAM],
  );
  // Rework rows have no key of their own: their row ids.
  const { rows: reworked } = await client.query<{ tenant: string; output_id: string }>(
    `WITH moved AS (${recordedUnderLinks(schema, 'reworks', 'x.ctid AS row_id', links)})
     UPDATE "${schema}".reworks r SET employee_id = m.linked_employee, identifier = NULLIF(m.linked_identifier, m.linked_employee)
       FROM moved m WHERE r.ctid = m.row_id
     RETURNING r.tenant, r.output_id`,
    parameters,
  );
  if (reworked.length === 0) return outputs.rows;
  const recosted = await recostOutputs(
    client,
    schema,
    `SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS x(tenant, output_id)`,
    [reworked.map((row) => row.tenant), reworked.map((row) => row.output_id)],
  );
  return [...outputs.rows, ...recosted];
}

/**
 * Recomputes the rework cost of the outputs the `affected` query names (tenant, output_id), from their rework
 * events and the hourly cost in effect for whoever did each, at its time; returns the outputs whose cost changed.
 */
async function recostOutputs(client: PoolClient, schema: string, affected: string, parameters: unknown[]): Promise<OutputChange[]> {
  const cost = reworkAggregates('r', 'a.hourly_cost').filter((a) => a.column === 'lost_cost_known' || a.column === 'unknown_cost_minutes');
  const result = await client.query<OutputChange>(
    changesOf(
      schema,
      `affected AS (${affected}),
     costs AS (
       SELECT r.tenant, r.output_id, ${cost.map((a) => `${a.sql} AS ${a.column}`).join(', ')}
         FROM "${schema}".reworks r
         JOIN affected USING (tenant, output_id)
         LEFT JOIN LATERAL (${assignmentAt(schema, 'r.tenant', 'r.employee_id', 'r.occurred_at')}) a ON true
        GROUP BY r.tenant, r.output_id
     ),
     changed AS (
       UPDATE "${schema}".outputs o SET lost_cost_known = costs.lost_cost_known, unknown_cost_minutes = costs.unknown_cost_minutes
         FROM costs WHERE o.tenant = costs.tenant AND o.output_id = costs.output_id
          AND (o.lost_cost_known IS DISTINCT FROM costs.lost_cost_known OR o.unknown_cost_minutes IS DISTINCT FROM costs.unknown_cost_minutes)
       RETURNING ${RETURNING_CHANGES})`,
    ),
    parameters,
  );
  return result.rows;
}
