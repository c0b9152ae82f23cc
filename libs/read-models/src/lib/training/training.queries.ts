import { reworkMetricsProjection } from '../rework-metrics/rework-metrics.projection';
import { ACTIVITY_RECORD_BYTES } from '../rework-metrics/rework-rollups';
import { assignmentsAt, reworkedBeforeSql, reworksOutputSql } from '../rework-metrics/rework-rules';
import type { SqlQueryable } from '../sql-queryable';
import { trainingProjection } from './training.projection';

const training = trainingProjection.schema;
const rework = reworkMetricsProjection.schema;
const DAY_MS = 86_400_000;

/**
 * SQL: true when the completion row `c` is withdrawn by a `training.completion_retracted` of its employee and course
 * recorded after it (whatever the asOf; the one definition every reader of completions uses).
 */
export function withdrawnSql(c: string): string {
  return `EXISTS (SELECT 1 FROM "${training}".retractions r
                   WHERE r.tenant = ${c}.tenant AND r.course_id = ${c}.course_id AND r.employee_id = ${c}.employee_id AND r.retracted_at > ${c}.completed_at)`;
}

export type Course = Readonly<{
  courseId: string;
  title: string;
  skills: string[];
  costPerSeat: number;
  currency: string;
  activityIds: string[];
  registeredAt: string;
  completions: number;
  trainees: number;
}>;

/** The tenant's courses with how many completions and distinct trainees each has (withdrawn completions left out). */
export async function listCourses(db: SqlQueryable, tenant: string, courseId?: string): Promise<Course[]> {
  const rows = await db.query<{
    course_id: string;
    title: string;
    skills: string[];
    cost_per_seat: number;
    currency: string;
    activity_ids: string[];
    registered_at: Date;
    completions: number;
    trainees: number;
  }>(
    `SELECT c.course_id, c.title, c.skills, c.cost_per_seat, c.currency, c.activity_ids, c.registered_at,
            count(t.employee_id)::int AS completions, count(DISTINCT t.employee_id)::int AS trainees
       FROM "${training}".courses c
       LEFT JOIN "${training}".completions t ON t.tenant = c.tenant AND t.course_id = c.course_id AND NOT ${withdrawnSql('t')}
      WHERE c.tenant = $1 AND ($2::text IS NULL OR c.course_id = $2)
      GROUP BY c.course_id, c.title, c.skills, c.cost_per_seat, c.currency, c.activity_ids, c.registered_at
      ORDER BY c.course_id`,
    [tenant, courseId ?? null],
  );
  return rows.map((row) => ({
    courseId: row.course_id,
    title: row.title,
    skills: row.skills,
    costPerSeat: row.cost_per_seat,
    currency: row.currency,
    activityIds: row.activity_ids,
    registeredAt: new Date(row.registered_at).toISOString(),
    completions: row.completions,
    trainees: row.trainees,
  }));
}

/**
 * Every completion of a course before `asOf`, by the employee its learner resolves to (identity links), except those a
 * retraction withdraws (whatever its time: a retraction applies whatever the asOf).
 */
export async function courseCompletions(db: SqlQueryable, tenant: string, courseId: string, asOf: Date): Promise<{ employeeId: string; completedAt: Date }[]> {
  const rows = await db.query<{ employee_id: string; completed_at: Date }>(
    `SELECT c.employee_id, c.completed_at FROM "${training}".completions c
      WHERE c.tenant = $1 AND c.course_id = $2 AND c.completed_at < $3 AND NOT ${withdrawnSql('c')}
      ORDER BY c.employee_id, c.completed_at`,
    [tenant, courseId, asOf.toISOString()],
  );
  return rows.map((row) => ({ employeeId: row.employee_id, completedAt: new Date(row.completed_at) }));
}

/** Outputs an employee generated on one UTC day, and how many were reworked (corrected, rewritten or discarded before asOf). */
export type EmployeeDay = { employeeId: string; day: number; outputs: number; reworked: number; reworkMinutes: number };

/**
 * Daily activity as columns (no object per row): the rows of employee `employeeIds[e]` are [rowStart[e],
 * rowStart[e + 1]), in day order — the form the estimator reads fastest.
 */
export type EmployeeActivityColumns = {
  employeeIds: string[];
  rowStart: Int32Array;
  day: Int32Array;
  outputs: Int32Array;
  reworked: Int32Array;
  reworkMinutes: Float64Array;
};

/**
 * The daily activity from the employee months the projection keeps (see rework-rollups.ts), when they hold nothing
 * at or after asOf (no output generated, no rework done then): every day they hold is then "as of" asOf. Null
 * otherwise. Only reads (the projection packs the months a batch moved, in that batch's transaction); one statement,
 * so that the check and the read see the same snapshot; one row per employee, its months end to end. With asOf null: every day
 * the months hold, as they hold it now (never null; `reworkDoneFrom` gives what to take off for an earlier asOf).
 */
export async function activityColumnsFromRollups(db: SqlQueryable, tenant: string, since: Date, asOf: Date | null): Promise<EmployeeActivityColumns | null> {
  const rows = await db.query<{ current: boolean; employee_id: string | null; activity: Buffer | null }>(
    `WITH extent AS (SELECT COALESCE((SELECT latest_fact_at < $3 FROM "${rework}".fact_extent WHERE tenant = $1), true) AS current)
     SELECT extent.current, m.employee_id, m.activity
       FROM extent
       LEFT JOIN LATERAL (
         SELECT employee_id, string_agg(activity, ''::bytea ORDER BY month) AS activity
           FROM "${rework}".employee_months
          WHERE tenant = $1 AND month >= date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC')::date
          GROUP BY employee_id
       ) m ON extent.current
      ORDER BY m.employee_id`,
    // A null asOf makes the comparison null, and COALESCE reads it as current.
    [tenant, since.toISOString(), asOf?.toISOString() ?? null],
  );
  if (rows.length > 0 && !rows[0].current) return null;
  const firstDay = Math.floor(since.getTime() / DAY_MS);
  const packed = rows.filter((row): row is { current: boolean; employee_id: string; activity: Buffer } => row.employee_id !== null && row.activity !== null);
  // Records before `since` (early in its month) are left out: counted first, then copied.
  const firstRecord = packed.map(({ activity }) => {
    let at = 0;
    while (at < activity.length && activity.readInt32BE(at) < firstDay) at += ACTIVITY_RECORD_BYTES;
    return at;
  });
  const total = packed.reduce((sum, { activity }, e) => sum + (activity.length - firstRecord[e]) / ACTIVITY_RECORD_BYTES, 0);
  const columns: EmployeeActivityColumns = {
    employeeIds: [],
    rowStart: new Int32Array(1),
    day: new Int32Array(total),
    outputs: new Int32Array(total),
    reworked: new Int32Array(total),
    reworkMinutes: new Float64Array(total),
  };
  const rowStart: number[] = [0];
  let row = 0;
  packed.forEach(({ employee_id: employeeId, activity }, e) => {
    if (firstRecord[e] === activity.length) return;
    for (let at = firstRecord[e]; at < activity.length; at += ACTIVITY_RECORD_BYTES, row++) {
      columns.day[row] = activity.readInt32BE(at);
      columns.outputs[row] = activity.readInt32BE(at + 4);
      columns.reworked[row] = activity.readInt32BE(at + 8);
      columns.reworkMinutes[row] = activity.readDoubleBE(at + 12);
    }
    columns.employeeIds.push(employeeId);
    rowStart.push(row);
  });
  columns.rowStart = Int32Array.from(rowStart);
  return columns;
}

/** The same as rows (tests, small tenants). */
export async function dailyActivityFromRollups(db: SqlQueryable, tenant: string, since: Date, asOf: Date): Promise<EmployeeDay[] | null> {
  const columns = await activityColumnsFromRollups(db, tenant, since, asOf);
  if (columns === null) return null;
  const days: EmployeeDay[] = [];
  columns.employeeIds.forEach((employeeId, e) => {
    for (let r = columns.rowStart[e]; r < columns.rowStart[e + 1]; r++) {
      days.push({ employeeId, day: columns.day[r], outputs: columns.outputs[r], reworked: columns.reworked[r], reworkMinutes: columns.reworkMinutes[r] });
    }
  });
  return days;
}

/**
 * Per employee and UTC day of generation, from `since` to `asOf`, aggregated from the outputs and the rework events
 * (any asOf): outputs, outputs reworked before asOf, and the minutes of those reworks (corrected, rewritten,
 * discarded) — the aggregates training impact is estimated on.
 */
export async function dailyActivityFromOutputs(db: SqlQueryable, tenant: string, since: Date, asOf: Date): Promise<EmployeeDay[]> {
  const rows = await db.query<{ employee_id: string; day: number; outputs: number; reworked: number; minutes: number }>(
    `SELECT o.employee_id, floor(extract(epoch FROM o.generated_at) / 86400)::int AS day,
            count(*)::int AS outputs, count(*) FILTER (WHERE ${reworkedBeforeSql('o', '$3')})::int AS reworked,
            COALESCE(sum(m.minutes), 0)::float8 AS minutes
       FROM "${rework}".outputs o
       LEFT JOIN (
         SELECT r.output_id, sum(r.minutes) AS minutes FROM "${rework}".reworks r
          WHERE r.tenant = $1 AND ${reworksOutputSql('r.kind')} AND r.occurred_at < $3
          GROUP BY r.output_id
       ) m ON m.output_id = o.output_id
      WHERE o.tenant = $1 AND o.generated AND o.generated_at >= $2 AND o.generated_at < $3
      GROUP BY 1, 2`,
    [tenant, since.toISOString(), asOf.toISOString()],
  );
  return rows.map((row) => ({ employeeId: row.employee_id, day: row.day, outputs: row.outputs, reworked: row.reworked, reworkMinutes: row.minutes }));
}

/**
 * The rework done at or after `asOf` on the outputs generated in [since, asOf), per employee and UTC day of
 * generation (`outputs` 0): `reworked` counts the outputs first reworked then, `reworkMinutes` the minutes of those
 * corrected, rewritten and discarded events — what the employee months hold beyond an earlier asOf. Read from the
 * rework events of that span only (a few weeks for a snapped asOf), not from a year of outputs.
 */
export async function reworkDoneFrom(db: SqlQueryable, tenant: string, since: Date, asOf: Date): Promise<EmployeeDay[]> {
  const rows = await db.query<{ employee_id: string; day: number; reworked: number; minutes: number }>(
    `SELECT o.employee_id, floor(extract(epoch FROM o.generated_at) / 86400)::int AS day,
            count(DISTINCT o.output_id) FILTER (WHERE NOT ${reworkedBeforeSql('o', '$3')})::int AS reworked, sum(r.minutes)::float8 AS minutes
       FROM "${rework}".reworks r
       JOIN "${rework}".outputs o ON o.tenant = r.tenant AND o.output_id = r.output_id
      WHERE r.tenant = $1 AND ${reworksOutputSql('r.kind')} AND r.occurred_at >= $3
        AND o.generated AND o.generated_at >= $2 AND o.generated_at < $3
      GROUP BY 1, 2`,
    [tenant, since.toISOString(), asOf.toISOString()],
  );
  return rows.map((row) => ({ employeeId: row.employee_id, day: row.day, outputs: 0, reworked: row.reworked, reworkMinutes: row.minutes }));
}

/**
 * What course impact is estimated on, from `since` to `asOf`: the employees and their daily activity — the employee
 * months as columns when they answer (asOf after the latest fact: the default, now), else aggregated from the outputs.
 */
export async function employeeActivity(
  db: SqlQueryable,
  tenant: string,
  since: Date,
  asOf: Date,
): Promise<{ employees: readonly string[]; activity: EmployeeActivityColumns | EmployeeDay[] }> {
  const columns = await activityColumnsFromRollups(db, tenant, since, asOf);
  if (columns !== null) return { employees: columns.employeeIds, activity: columns };
  const days = await dailyActivityFromOutputs(db, tenant, since, asOf);
  return { employees: [...new Set(days.map((day) => day.employeeId))], activity: days };
}

/** Each employee's hourly cost in effect at `asOf` (employees without one are absent: the caller applies the default). */
export async function hourlyCostsAt(db: SqlQueryable, tenant: string, asOf: Date): Promise<Map<string, number>> {
  const rows = await db.query<{ employee_id: string; hourly_cost: number | null }>(
    assignmentsAt(rework, '$1', '$2', 'a.employee_id, a.hourly_cost'),
    [tenant, asOf.toISOString()],
  );
  return new Map(rows.filter((row) => row.hourly_cost !== null).map((row) => [row.employee_id, row.hourly_cost as number]));
}

/** The course an xAPI activity IRI belongs to, through the courses' `activityIds`. */
export async function courseByActivityId(db: SqlQueryable, tenant: string, activityId: string): Promise<string | undefined> {
  const rows = await db.query<{ course_id: string }>(`SELECT course_id FROM "${training}".course_activities WHERE tenant = $1 AND activity_id = $2`, [tenant, activityId]);
  return rows[0]?.course_id;
}
