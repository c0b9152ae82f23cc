import { type CourseRegistered, type EmployeeIdentityLinked, normaliseIdentifier, type TrainingCompleted } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { Projection } from '@rework-ledger/projections';
import type { PoolClient } from 'pg';
import { createIdentityLinksTable, resolvedEmployeeSql, saveIdentityLinks } from '../identity/identity-links';
import { repointIdentifiers } from '../identity/repoint-identifiers';

/** The events the training read model reads. */
export type TrainingEvent = CourseRegistered | TrainingCompleted | EmployeeIdentityLinked;

/**
 * The course catalogue (a re-registered course replaces its earlier registration) and every training completion —
 * what training impact and xAPI ingestion read. A completion keeps its learner's normalised identifier and the
 * employee that identifier resolves to through the read model's own identity links (PRODUCT.md, "Identity"): a batch
 * saves its links first, re-pointing the completions recorded under their identifiers, so a link that arrives after a
 * completion makes it the employee's (for course impact too), as one that came before would, and a rebuild agrees.
 */
export const trainingProjection: Projection<TrainingEvent> = {
  name: 'training',
  schema: 'rm_training',
  version: 2,
  handles: ['training.course_registered', 'training.completed', 'employee.identity_linked'],

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
    `);
    await createIdentityLinksTable(client, schema);
  },

  async apply(client: PoolClient, schema: string, events: readonly StoredEvent<TrainingEvent>[]): Promise<void> {
    // Links first: a completion's employee depends only on its identifier's latest link, wherever the link falls.
    const links = events.filter((event): event is StoredEvent<EmployeeIdentityLinked> => event.type === 'employee.identity_linked');
    await repointIdentifiers(client, schema, 'completions', await saveIdentityLinks(client, schema, links));
    const completions: StoredEvent<TrainingCompleted>[] = [];
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
        default:
          break;
      }
    }
    if (completions.length > 0) {
      await client.query(
        `INSERT INTO "${schema}".completions (tenant, identifier, employee_id, course_id, completed_at, score)
         SELECT c.tenant, c.identifier, ${resolvedEmployeeSql(schema, 'c.tenant', 'c.identifier')}, c.course_id, c.completed_at, c.score
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::float8[]) AS c(tenant, identifier, course_id, completed_at, score)`,
        [
          completions.map((e) => e.tenant),
          completions.map((e) => normaliseIdentifier(e.data.employeeId)),
          completions.map((e) => e.data.courseId),
          completions.map((e) => e.time.toISOString()),
          completions.map((e) => e.data.score ?? null),
        ],
      );
    }
  },
};
