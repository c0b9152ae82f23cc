import { type CourseRegistered, type EmployeeIdentityLinked, normaliseIdentifier, type TrainingCompleted, type TrainingCompletionRetracted } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { Projection } from '@rework-ledger/projections';
import type { PoolClient } from 'pg';
import { createIdentityLinksTable, resolvedEmployeeSql, saveIdentityLinks } from '../identity/identity-links';
import { repointIdentifiers } from '../identity/repoint-identifiers';

/** The events the training read model reads. */
export type TrainingEvent = CourseRegistered | TrainingCompleted | TrainingCompletionRetracted | EmployeeIdentityLinked;

/**
 * The course catalogue (a re-registered course replaces its earlier registration) and every training completion —
 * what training impact and xAPI ingestion read. A completion keeps its learner's normalised identifier and the
 * employee that identifier resolves to through the read model's own identity links (PRODUCT.md, "Identity"): a batch
 * saves its links first, re-pointing the completions recorded under their identifiers, so a link that arrives after a
 * completion makes it the employee's (for course impact too), as one that came before would, and a rebuild agrees.
 * A retraction is kept as a fact too (identifier, resolved employee, course, time), not applied by deleting rows: the
 * queries leave out the completions it withdraws (`withdrawnSql`), so that which completions it withdraws does not
 * depend on the order of retractions, completions and links in the store.
 */
export const trainingProjection: Projection<TrainingEvent> = {
  name: 'training',
  schema: 'rm_training',
  version: 2,
  handles: ['training.course_registered', 'training.completed', 'training.completion_retracted', 'employee.identity_linked'],

  async createTables(client: PoolClient, schema: string): Promise<void> {
    await client.query(`
      CREATE TABLE "${schema}".courses (
        tenant text NOT NULL,
        course_id text NOT NULL,
        title text NOT NULL,
        skills text[] NOT NULL,
        cost_per_seat double precision NOT NULL,
        currency text NOT NULL,
        activity_ids text[] NOT NULL,
        registered_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, course_id)
      );
      CREATE TABLE "${schema}".course_activities (
        tenant text NOT NULL,
        activity_id text NOT NULL,
        course_id text NOT NULL,
        PRIMARY KEY (tenant, activity_id)
      );
      -- identifier: the completion's employeeId, normalised; employee_id: whom it resolves to (what the queries read).
      CREATE TABLE "${schema}".completions (
        tenant text NOT NULL,
        identifier text NOT NULL,
        employee_id text NOT NULL,
        course_id text NOT NULL,
        completed_at timestamptz NOT NULL,
        score double precision
      );
      CREATE INDEX ON "${schema}".completions (tenant, course_id, employee_id, completed_at);
      CREATE INDEX ON "${schema}".completions (tenant, identifier);
      -- A retraction withdraws the completions of its employee and course recorded before retracted_at (any asOf).
      CREATE TABLE "${schema}".retractions (
        tenant text NOT NULL,
        identifier text NOT NULL,
        employee_id text NOT NULL,
        course_id text NOT NULL,
        retracted_at timestamptz NOT NULL
      );
      CREATE INDEX ON "${schema}".retractions (tenant, course_id, employee_id);
      CREATE INDEX ON "${schema}".retractions (tenant, identifier);
    `);
    await createIdentityLinksTable(client, schema);
  },

  async apply(client: PoolClient, schema: string, events: readonly StoredEvent<TrainingEvent>[]): Promise<void> {
    // Links first: a completion's employee depends only on its identifier's latest link, wherever the link falls.
    const links = await saveIdentityLinks(
      client,
      schema,
      events.filter((event): event is StoredEvent<EmployeeIdentityLinked> => event.type === 'employee.identity_linked'),
    );
    await repointIdentifiers(client, schema, 'completions', links);
    await repointIdentifiers(client, schema, 'retractions', links);
    const completions: StoredEvent<TrainingCompleted>[] = [];
    const retractions: StoredEvent<TrainingCompletionRetracted>[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'training.course_registered': {
          const { courseId, title, skills, costPerSeat, currency } = event.data;
          const activityIds = event.data.activityIds ?? [];
          await client.query(
            `INSERT INTO "${schema}".courses (tenant, course_id, title, skills, cost_per_seat, currency, activity_ids, registered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (tenant, course_id) DO UPDATE SET title = EXCLUDED.title, skills = EXCLUDED.skills,
               cost_per_seat = EXCLUDED.cost_per_seat, currency = EXCLUDED.currency, activity_ids = EXCLUDED.activity_ids,
               registered_at = EXCLUDED.registered_at`,
            [event.tenant, courseId, title, skills, costPerSeat, currency, activityIds, event.time.toISOString()],
          );
          await client.query(`DELETE FROM "${schema}".course_activities WHERE tenant = $1 AND course_id = $2`, [event.tenant, courseId]);
          if (activityIds.length > 0) {
            await client.query(
              `INSERT INTO "${schema}".course_activities (tenant, activity_id, course_id)
               SELECT $1, a, $2 FROM unnest($3::text[]) AS a
               ON CONFLICT (tenant, activity_id) DO UPDATE SET course_id = EXCLUDED.course_id`,
              [event.tenant, courseId, activityIds],
            );
          }
          break;
        }
        case 'training.completed':
          completions.push(event);
          break;
        case 'training.completion_retracted':
          retractions.push(event);
          break;
        default:
          break;
      }
    }
    await insertResolved<TrainingCompleted>(client, schema, 'completions', completions, (e) => ({ completed_at: e.time.toISOString(), score: e.data.score ?? null }));
    await insertResolved<TrainingCompletionRetracted>(client, schema, 'retractions', retractions, (e) => ({ retracted_at: e.time.toISOString() }));
  },
};

/** The SQL type of each column a completion or retraction adds to its identifier, employee and course. */
const COLUMN_TYPES: Readonly<Record<string, string>> = { completed_at: 'timestamptz', score: 'float8', retracted_at: 'timestamptz' };

/**
 * Inserts completions or retractions: tenant, the normalised identifier, the employee it resolves to (the links saved
 * so far, the batch's included), the course, and the columns `rest` gives.
 */
async function insertResolved<E extends TrainingCompleted | TrainingCompletionRetracted>(
  client: PoolClient,
  schema: string,
  table: 'completions' | 'retractions',
  events: readonly StoredEvent<E>[],
  rest: (event: StoredEvent<E>) => Record<string, string | number | null>,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(rest);
  const columns = Object.keys(rows[0]);
  await client.query(
    `INSERT INTO "${schema}".${table} (tenant, identifier, employee_id, course_id, ${columns.join(', ')})
     SELECT r.tenant, r.identifier, ${resolvedEmployeeSql(schema, 'r.tenant', 'r.identifier')}, r.course_id, ${columns.map((column) => `r.${column}`).join(', ')}
       FROM unnest($1::text[], $2::text[], $3::text[], ${columns.map((column, i) => `$${4 + i}::${COLUMN_TYPES[column]}[]`).join(', ')})
         AS r(tenant, identifier, course_id, ${columns.join(', ')})`,
    [
      events.map((e) => e.tenant),
      events.map((e) => normaliseIdentifier(e.data.employeeId)),
      events.map((e) => e.data.courseId),
      ...columns.map((column) => rows.map((row) => row[column])),
    ],
  );
}
