import { isReworkEventType, REWORK_EVENT_TYPES } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { Projection } from '@rework-ledger/projections';
import type { PoolClient } from 'pg';

/**
 * Per-output rework facts, the rework events themselves (for the cost of whoever did the work) and the employee
 * directory's team and cost history. Team and cost are resolved when queried, so a late `employee.assigned`
 * re-attributes past outputs without replaying anything.
 */
export const reworkMetricsProjection: Projection = {
  name: 'rework-metrics',
  schema: 'rm_rework',
  version: 1,

  async createTables(client: PoolClient, schema: string): Promise<void> {
    await client.query(`
      CREATE TABLE "${schema}".outputs (
        tenant text NOT NULL,
        output_id text NOT NULL,
        generated boolean NOT NULL DEFAULT false,
        employee_id text,
        team_id text,
        tool text,
        model text,
        task_type text,
        generated_at timestamptz,
        minutes_saved_estimate double precision,
        corrections integer NOT NULL DEFAULT 0,
        rewrites integer NOT NULL DEFAULT 0,
        double_checks integer NOT NULL DEFAULT 0,
        discards integer NOT NULL DEFAULT 0,
        correction_minutes double precision NOT NULL DEFAULT 0,
        rewrite_minutes double precision NOT NULL DEFAULT 0,
        double_check_minutes double precision NOT NULL DEFAULT 0,
        discard_minutes double precision NOT NULL DEFAULT 0,
        -- time of the first corrected, rewritten or discarded event: "reworked as of" a date (training impact)
        first_rework_at timestamptz,
        PRIMARY KEY (tenant, output_id)
      );
      CREATE INDEX ON "${schema}".outputs (tenant, generated_at) WHERE generated;
      CREATE TABLE "${schema}".reworks (
        tenant text NOT NULL,
        output_id text NOT NULL,
        kind text NOT NULL,
        employee_id text NOT NULL,
        minutes double precision NOT NULL,
        occurred_at timestamptz NOT NULL
      );
      CREATE INDEX ON "${schema}".reworks (tenant, output_id);
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
    `);
  },

  async apply(client: PoolClient, schema: string, events: readonly StoredEvent[]): Promise<void> {
    const generated = new Map<string, StoredEvent>();
    const reworkTotals = new Map<string, { tenant: string; outputId: string; counts: number[]; minutes: number[]; firstReworkAt: Date | null }>();
    const reworks: StoredEvent[] = [];
    const assignments: StoredEvent[] = [];
    const kinds = Object.values(REWORK_EVENT_TYPES);

    for (const event of events) {
      const outputKey = `${event.tenant}\u0000${String(event.data['outputId'])}`;
      if (event.type === 'ai.output.generated') {
        // The first generation of an output id wins; later ones are repeats of the same output.
        if (!generated.has(outputKey)) generated.set(outputKey, event);
      } else if (isReworkEventType(event.type)) {
        reworks.push(event);
        const kindIndex = kinds.indexOf(REWORK_EVENT_TYPES[event.type]);
        const totals = reworkTotals.get(outputKey) ?? { tenant: event.tenant, outputId: String(event.data['outputId']), counts: [0, 0, 0, 0], minutes: [0, 0, 0, 0], firstReworkAt: null };
        totals.counts[kindIndex] += 1;
        totals.minutes[kindIndex] += Number(event.data['minutesSpent']);
        if (event.type !== 'ai.output.double_checked' && (totals.firstReworkAt === null || event.time < totals.firstReworkAt)) totals.firstReworkAt = event.time;
        reworkTotals.set(outputKey, totals);
      } else if (event.type === 'employee.assigned') {
        assignments.push(event);
      }
    }

    if (generated.size > 0) {
      const rows = [...generated.values()];
      await client.query(
        `INSERT INTO "${schema}".outputs AS o
           (tenant, output_id, generated, employee_id, team_id, tool, model, task_type, generated_at, minutes_saved_estimate)
         SELECT t, id, true, e, team, tool, model, task, at, saved
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::float8[])
             AS u(t, id, e, team, tool, model, task, at, saved)
         ON CONFLICT (tenant, output_id) DO UPDATE
           SET generated = true, employee_id = EXCLUDED.employee_id, team_id = EXCLUDED.team_id, tool = EXCLUDED.tool,
               model = EXCLUDED.model, task_type = EXCLUDED.task_type, generated_at = EXCLUDED.generated_at,
               minutes_saved_estimate = EXCLUDED.minutes_saved_estimate
           WHERE NOT o.generated`,
        [
          rows.map((e) => e.tenant),
          rows.map((e) => String(e.data['outputId'])),
          rows.map((e) => String(e.data['employeeId'])),
          rows.map((e) => optionalString(e.data['teamId'])),
          rows.map((e) => String(e.data['tool'])),
          rows.map((e) => optionalString(e.data['model'])),
          rows.map((e) => String(e.data['taskType'])),
          rows.map((e) => e.time.toISOString()),
          rows.map((e) => optionalNumber(e.data['minutesSavedEstimate'])),
        ],
      );
    }

    if (reworkTotals.size > 0) {
      const totals = [...reworkTotals.values()];
      const column = (index: number, of: 'counts' | 'minutes') => totals.map((t) => t[of][index]);
      await client.query(
        `INSERT INTO "${schema}".outputs AS o
           (tenant, output_id, corrections, rewrites, double_checks, discards,
            correction_minutes, rewrite_minutes, double_check_minutes, discard_minutes, first_rework_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[],
                              $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::timestamptz[])
         ON CONFLICT (tenant, output_id) DO UPDATE SET
           corrections = o.corrections + EXCLUDED.corrections,
           rewrites = o.rewrites + EXCLUDED.rewrites,
           double_checks = o.double_checks + EXCLUDED.double_checks,
           discards = o.discards + EXCLUDED.discards,
           correction_minutes = o.correction_minutes + EXCLUDED.correction_minutes,
           rewrite_minutes = o.rewrite_minutes + EXCLUDED.rewrite_minutes,
           double_check_minutes = o.double_check_minutes + EXCLUDED.double_check_minutes,
           discard_minutes = o.discard_minutes + EXCLUDED.discard_minutes,
           first_rework_at = LEAST(o.first_rework_at, EXCLUDED.first_rework_at)`,
        [
          totals.map((t) => t.tenant),
          totals.map((t) => t.outputId),
          column(0, 'counts'),
          column(1, 'counts'),
          column(2, 'counts'),
          column(3, 'counts'),
          column(0, 'minutes'),
          column(1, 'minutes'),
          column(2, 'minutes'),
          column(3, 'minutes'),
          totals.map((t) => t.firstReworkAt?.toISOString() ?? null),
        ],
      );
      await client.query(
        `INSERT INTO "${schema}".reworks (tenant, output_id, kind, employee_id, minutes, occurred_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::timestamptz[])`,
        [
          reworks.map((e) => e.tenant),
          reworks.map((e) => String(e.data['outputId'])),
          reworks.map((e) => REWORK_EVENT_TYPES[e.type as keyof typeof REWORK_EVENT_TYPES]),
          reworks.map((e) => String(e.data['employeeId'])),
          reworks.map((e) => Number(e.data['minutesSpent'])),
          reworks.map((e) => e.time.toISOString()),
        ],
      );
    }

    if (assignments.length > 0) {
      await client.query(
        `INSERT INTO "${schema}".assignments (tenant, employee_id, team_id, hourly_cost, effective_from, store_transaction, store_position)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::timestamptz[], $6::bigint[], $7::bigint[])`,
        [
          assignments.map((e) => e.tenant),
          assignments.map((e) => String(e.data['employeeId'])),
          assignments.map((e) => String(e.data['teamId'])),
          assignments.map((e) => optionalNumber(e.data['hourlyCost'])),
          assignments.map((e) => optionalString(e.data['effectiveFrom']) ?? e.time.toISOString()),
          assignments.map((e) => e.position.transactionId.toString()),
          assignments.map((e) => e.position.globalPosition.toString()),
        ],
      );
    }
  },
};

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function optionalNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
