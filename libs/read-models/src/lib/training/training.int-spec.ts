import { createPool } from '@rework-ledger/platform';
import { expectRebuildEqualsLive, type GivenEvent, projectionSpec } from '@rework-ledger/projections/testing';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { reworkMetricsProjection } from '../rework-metrics/rework-metrics.projection';
import { fromPgPool, type SqlQueryable } from '../sql-queryable';
import { trainingProjection } from './training.projection';
import {
  courseByActivityId,
  courseCompletions,
  dailyActivityFromOutputs,
  dailyActivityFromRollups,
  hourlyCostsAt,
  listCourses,
} from './training.queries';

let counter = 0;
const event = (type: string, time: string, data: Record<string, unknown>): GivenEvent => ({ tenant: 'acme', id: `t-${++counter}`, source: 'urn:test', type, time, data });
const DAY = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY);

const EVENTS = [
  event('training.course_registered', '2026-01-01T00:00:00Z', { courseId: 'prompting', title: 'Prompting v0', skills: ['x'], costPerSeat: 100, currency: 'USD', activityIds: ['https://lms.test/old'] }),
  event('training.course_registered', '2026-01-02T00:00:00Z', { courseId: 'prompting', title: 'Prompting', skills: ['prompting'], costPerSeat: 150, currency: 'EUR', activityIds: ['https://lms.test/prompting'] }),
  event('employee.identity_linked', '2026-01-01T00:00:00Z', { employeeId: 'alice', system: 'lms', externalId: 'mailto:alice@acme.test' }),
  event('employee.assigned', '2026-01-01T00:00:00Z', { employeeId: 'alice', teamId: 'platform', hourlyCost: 80 }),
  event('employee.assigned', '2026-03-01T00:00:00Z', { employeeId: 'alice', teamId: 'platform', hourlyCost: 90 }),
  event('training.completed', '2026-02-10T15:00:00Z', { employeeId: 'alice', courseId: 'prompting', score: 0.9 }),
  event('training.completed', '2026-02-20T15:00:00Z', { employeeId: 'alice', courseId: 'prompting' }),
  event('training.completed', '2026-05-01T00:00:00Z', { employeeId: 'bob', courseId: 'prompting' }),
  event('ai.output.generated', '2026-02-01T23:59:00Z', { outputId: 'o1', employeeId: 'alice', tool: 't', taskType: 'coding' }),
  event('ai.output.generated', '2026-02-01T08:00:00Z', { outputId: 'o2', employeeId: 'alice', tool: 't', taskType: 'coding' }),
  event('ai.output.corrected', '2026-02-02T08:00:00Z', { outputId: 'o1', employeeId: 'bob', minutesSpent: 10 }),
  event('ai.output.double_checked', '2026-02-02T09:00:00Z', { outputId: 'o1', employeeId: 'bob', minutesSpent: 4 }),
  event('ai.output.generated', '2026-02-03T08:00:00Z', { outputId: 'o3', employeeId: 'bob', tool: 't', taskType: 'coding' }),
  // Reworked only after asOf: not reworked as of 2026-04-01.
  event('ai.output.rewritten', '2026-04-05T08:00:00Z', { outputId: 'o3', employeeId: 'bob', minutesSpent: 30 }),
  event('ai.output.double_checked', '2026-02-04T08:00:00Z', { outputId: 'o2', employeeId: 'bob', minutesSpent: 5 }),
  // Carol's only output of the month and its double-check arrive together: her month must still be written.
  event('ai.output.generated', '2026-03-10T08:00:00Z', { outputId: 'o4', employeeId: 'carol', tool: 't', taskType: 'coding' }),
  event('ai.output.double_checked', '2026-03-10T09:00:00Z', { outputId: 'o4', employeeId: 'bob', minutesSpent: 3 }),
];

describe('training read model and the aggregates of training impact (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: Pool;
  /** The events applied to both read models (the training queries join the rework one) in one transaction, then `check`. */
  const given = <T>(check: (db: SqlQueryable) => Promise<T>): Promise<T> =>
    projectionSpec([reworkMetricsProjection, trainingProjection], { pool, schema: 'live' })
      .given(EVENTS)
      .then(({ client }) => check(fromPgPool(client)));

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('given a course registered twice, then the second registration replaces the first, activities included', () =>
    given(async (db) => {
      expect(await listCourses(db, 'acme')).toEqual([
        { courseId: 'prompting', title: 'Prompting', skills: ['prompting'], costPerSeat: 150, currency: 'EUR', activityIds: ['https://lms.test/prompting'], registeredAt: '2026-01-02T00:00:00.000Z', completions: 3, trainees: 2 },
      ]);
      expect(await courseByActivityId(db, 'acme', 'https://lms.test/prompting')).toBe('prompting');
      expect(await courseByActivityId(db, 'acme', 'https://lms.test/old')).toBeUndefined();
      expect(await listCourses(db, 'globex')).toEqual([]);
    }));

  it('lists completions before asOf', () =>
    given(async (db) => {
      // Bob's completion (May) is after asOf.
      expect(await courseCompletions(db, 'acme', 'prompting', new Date('2026-04-01T00:00:00Z'))).toEqual([
        { employeeId: 'alice', completedAt: new Date('2026-02-10T15:00:00Z') },
        { employeeId: 'alice', completedAt: new Date('2026-02-20T15:00:00Z') },
      ]);
    }));

  it('aggregates outputs per employee and UTC day, reworked (not double-checked) before asOf', () =>
    given(async (db) => {
      const activity = await dailyActivityFromOutputs(db, 'acme', new Date('2026-01-01T00:00:00Z'), new Date('2026-04-01T00:00:00Z'));
      expect(activity.sort((a, b) => a.employeeId.localeCompare(b.employeeId))).toEqual([
        { employeeId: 'alice', day: dayOf('2026-02-01T00:00:00Z'), outputs: 2, reworked: 1, reworkMinutes: 10 },
        { employeeId: 'bob', day: dayOf('2026-02-03T00:00:00Z'), outputs: 1, reworked: 0, reworkMinutes: 0 },
        { employeeId: 'carol', day: dayOf('2026-03-10T00:00:00Z'), outputs: 1, reworked: 0, reworkMinutes: 0 },
      ]);
    }));

  it('given an asOf after every fact, then the activity comes from the employee months, as the outputs give it', () =>
    given(async (db) => {
      const since = new Date('2026-01-01T00:00:00Z');
      const asOf = new Date('2026-06-01T00:00:00Z');
      const fromRollups = await dailyActivityFromRollups(db, 'acme', since, asOf);
      expect(fromRollups).toEqual([
        { employeeId: 'alice', day: dayOf('2026-02-01T00:00:00Z'), outputs: 2, reworked: 1, reworkMinutes: 10 },
        { employeeId: 'bob', day: dayOf('2026-02-03T00:00:00Z'), outputs: 1, reworked: 1, reworkMinutes: 30 },
        { employeeId: 'carol', day: dayOf('2026-03-10T00:00:00Z'), outputs: 1, reworked: 0, reworkMinutes: 0 },
      ]);
      expect(await dailyActivityFromOutputs(db, 'acme', since, asOf)).toEqual(expect.arrayContaining(fromRollups ?? []));
      // Days before `since` are left out, even within a month the rollups hold.
      expect(await dailyActivityFromRollups(db, 'acme', new Date('2026-02-02T00:00:00Z'), asOf)).toEqual(fromRollups?.slice(1));
      // Rework done after asOf: the rollups cannot answer as of then.
      expect(await dailyActivityFromRollups(db, 'acme', since, new Date('2026-04-01T00:00:00Z'))).toBeNull();
      expect(await dailyActivityFromRollups(db, 'globex', since, asOf)).toEqual([]);
    }));

  it('gives the hourly cost in effect at a date', () =>
    given(async (db) => {
      expect(await hourlyCostsAt(db, 'acme', new Date('2026-02-15T00:00:00Z'))).toEqual(new Map([['alice', 80]]));
      expect(await hourlyCostsAt(db, 'acme', new Date('2026-04-01T00:00:00Z'))).toEqual(new Map([['alice', 90]]));
    }));

  describe("identity: a completion is its learner's, resolved through employee.identity_linked", () => {
    const FOREVER = new Date('2100-01-01T00:00:00Z');
    const course = event('training.course_registered', '2026-01-01T00:00:00Z', { courseId: 'prompting', title: 'Prompting', skills: ['prompting'], costPerSeat: 150, currency: 'EUR' });
    const completed = (employeeId: string, time: string, tenant = 'acme'): GivenEvent => ({ ...event('training.completed', time, { employeeId, courseId: 'prompting' }), tenant });
    const linked = (externalId: string, employeeId: string, system = 'email', tenant = 'acme'): GivenEvent => ({ ...event('employee.identity_linked', '2026-01-01T00:00:00Z', { employeeId, system, externalId }), tenant });
    /** What course impact reads after `given`, then `when` in a later batch: the completions, and the course's trainees. */
    const after = (given: readonly GivenEvent[], when: readonly GivenEvent[] = []) =>
      projectionSpec([reworkMetricsProjection, trainingProjection], { pool, schema: 'live' })
        .given([course, ...given])
        .when(when)
        .then(async ({ client }) => {
          const db = fromPgPool(client);
          const completions = await courseCompletions(db, 'acme', 'prompting', FOREVER);
          const [listed] = await listCourses(db, 'acme', 'prompting');
          return { completions: completions.map((c) => `${c.employeeId} ${c.completedAt.toISOString().slice(0, 10)}`), trainees: listed.trainees };
        });
    const DANA = [completed('mailto:Dana@Acme.test', '2026-02-01T10:00:00Z'), completed('dana', '2026-02-05T10:00:00Z')];

    it("given a link before the completion, then it is the employee's", async () => {
      expect(await after([linked('dana@acme.test', 'dana'), ...DANA])).toEqual({ completions: ['dana 2026-02-01', 'dana 2026-02-05'], trainees: 1 });
    });

    it('given a link after the completion (same batch or a later one), then the completion is re-attributed', async () => {
      expect(await after(DANA)).toEqual({ completions: ['dana 2026-02-05', 'dana@acme.test 2026-02-01'], trainees: 2 });
      expect(await after([...DANA, linked('mailto:dana@acme.test', 'dana')])).toEqual({ completions: ['dana 2026-02-01', 'dana 2026-02-05'], trainees: 1 });
      expect(await after(DANA, [linked('DANA@acme.test', 'dana', 'lms')])).toEqual({ completions: ['dana 2026-02-01', 'dana 2026-02-05'], trainees: 1 });
    });

    it('given a second link of the same identifier, then the latest re-points it', async () => {
      expect(await after([...DANA, linked('dana@acme.test', 'erin')], [linked('dana@acme.test', 'dana')])).toEqual({ completions: ['dana 2026-02-01', 'dana 2026-02-05'], trainees: 1 });
      expect(await after([linked('dana@acme.test', 'dana'), ...DANA], [linked('dana@acme.test', 'erin')])).toEqual({ completions: ['dana 2026-02-05', 'erin 2026-02-01'], trainees: 2 });
    });

    it('given mailto: and case variants of one email, unlinked, then they are one person under the normalised email', async () => {
      const variants = [completed('mailto:Frank@Acme.test', '2026-02-01T10:00:00Z'), completed('frank@acme.test', '2026-02-02T10:00:00Z'), completed(' FRANK@ACME.TEST', '2026-02-03T10:00:00Z')];
      expect(await after(variants)).toEqual({ completions: ['frank@acme.test 2026-02-01', 'frank@acme.test 2026-02-02', 'frank@acme.test 2026-02-03'], trainees: 1 });
    });

    it("given another tenant's link of the same identifier, then it has no effect", async () => {
      expect(await after([...DANA, linked('dana@acme.test', 'mallory', 'email', 'globex')])).toEqual({ completions: ['dana 2026-02-05', 'dana@acme.test 2026-02-01'], trainees: 2 });
    });

    it('given links before, between and after the completions, then a rebuild gives the rows live gives, whatever the batches', async () => {
      const events = [
        course,
        completed('mailto:Dana@Acme.test', '2026-02-01T10:00:00Z'),
        linked('bob@acme.test', 'bob', 'lms'),
        completed('Bob@acme.test', '2026-02-02T10:00:00Z'),
        linked('dana@acme.test', 'erin'),
        completed('dana@acme.test', '2026-02-03T10:00:00Z'),
        linked('MAILTO:dana@acme.test', 'dana'),
        completed('gus', '2026-02-04T10:00:00Z', 'globex'),
        linked('gus', 'gustav', 'hris', 'globex'),
      ];
      const model = await expectRebuildEqualsLive(trainingProjection, events, { pool, batchSizes: [1, 2, 4, 100] });
      const rows = model.tables['completions'].map((row) => JSON.parse(row) as { identifier: string; employee_id: string });
      expect([...new Set(rows.map((row) => `${row.identifier}→${row.employee_id}`))].sort()).toEqual(['bob@acme.test→bob', 'dana@acme.test→dana', 'gus→gustav']);
    });
  });

  describe('training.completion_retracted withdraws the completions of its employee and course recorded before it', () => {
    const course = (courseId: string) => event('training.course_registered', '2026-01-01T00:00:00Z', { courseId, title: courseId, skills: [], costPerSeat: 10, currency: 'EUR' });
    const completed = (employeeId: string, time: string, courseId = 'prompting', tenant = 'acme'): GivenEvent => ({ ...event('training.completed', time, { employeeId, courseId }), tenant });
    const retracted = (employeeId: string, time: string, courseId = 'prompting', tenant = 'acme'): GivenEvent => ({ ...event('training.completion_retracted', time, { employeeId, courseId }), tenant });
    const linked = (externalId: string, employeeId: string): GivenEvent => event('employee.identity_linked', '2026-01-01T00:00:00Z', { employeeId, system: 'email', externalId });
    /** The completions course impact reads (as of `asOf`) and the course list's counts, after `given` then `when`. */
    const after = (given: readonly GivenEvent[], when: readonly GivenEvent[] = [], asOf = new Date('2100-01-01T00:00:00Z'), tenant = 'acme') =>
      projectionSpec([reworkMetricsProjection, trainingProjection], { pool, schema: 'live' })
        .given([course('prompting'), course('review'), ...given])
        .when(when)
        .then(async ({ client }) => {
          const db = fromPgPool(client);
          const completions = await courseCompletions(db, tenant, 'prompting', asOf);
          const counts = (await listCourses(db, tenant)).map((c) => `${c.courseId} ${c.completions}/${c.trainees}`);
          return { completions: completions.map((c) => `${c.employeeId} ${c.completedAt.toISOString().slice(0, 10)}`), counts };
        });

    it('given completions before and after a retraction, then the earlier are withdrawn and the later one stands (it becomes the first)', async () => {
      const events = [completed('dana', '2026-02-01T10:00:00Z'), completed('dana', '2026-02-02T10:00:00Z'), retracted('dana', '2026-02-03T00:00:00Z'), completed('dana', '2026-02-05T10:00:00Z')];
      expect(await after(events)).toEqual({ completions: ['dana 2026-02-05'], counts: ['prompting 1/1', 'review 0/0'] });
    });

    it('given a retraction after asOf, then it still applies (whatever the asOf): the employee has no completion then, and can serve as a control', async () => {
      expect(await after([completed('dana', '2026-02-01T10:00:00Z'), retracted('dana', '2026-03-01T00:00:00Z')], [], new Date('2026-02-15T00:00:00Z'))).toEqual({
        completions: [],
        counts: ['prompting 0/0', 'review 0/0'],
      });
    });

    it('given a retraction stored before the completion it withdraws (out of order), or in an earlier batch, then it still withdraws it', async () => {
      expect(await after([retracted('dana', '2026-02-03T00:00:00Z'), completed('dana', '2026-02-01T10:00:00Z')])).toMatchObject({ completions: [] });
      expect(await after([retracted('dana', '2026-02-03T00:00:00Z')], [completed('dana', '2026-02-01T10:00:00Z')])).toMatchObject({ completions: [] });
    });

    it('given other employees, courses and tenants, then they keep their completions', async () => {
      const events = [
        completed('dana', '2026-02-01T10:00:00Z'),
        completed('erin', '2026-02-01T10:00:00Z'),
        completed('dana', '2026-02-01T10:00:00Z', 'review'),
        completed('dana', '2026-02-01T10:00:00Z', 'prompting', 'globex'),
        retracted('dana', '2026-02-03T00:00:00Z'),
      ];
      expect(await after(events)).toEqual({ completions: ['erin 2026-02-01'], counts: ['prompting 1/1', 'review 1/1'] });
      expect((await after(events, [], undefined, 'globex')).completions).toEqual(['dana 2026-02-01']);
    });

    it('given a retraction naming the employee and a completion recorded under her email, then it withdraws it once the email is linked (before or after)', async () => {
      const events = [completed('mailto:Dana@Acme.test', '2026-02-01T10:00:00Z'), retracted('dana', '2026-02-03T00:00:00Z')];
      expect((await after(events)).completions).toEqual(['dana@acme.test 2026-02-01']);
      expect((await after(events, [linked('dana@acme.test', 'dana')])).completions).toEqual([]);
      expect((await after([linked('dana@acme.test', 'dana'), ...events])).completions).toEqual([]);
      // A retraction under the email withdraws the employee's completion once the email is hers.
      expect((await after([completed('dana', '2026-02-01T10:00:00Z'), retracted('DANA@acme.test', '2026-02-03T00:00:00Z')], [linked('dana@acme.test', 'dana')])).completions).toEqual([]);
    });

    it('given retractions, completions and links in any store order, then a rebuild gives the rows live gives', async () => {
      const events = [
        course('prompting'),
        retracted('dana', '2026-02-03T00:00:00Z'),
        completed('mailto:Dana@Acme.test', '2026-02-01T10:00:00Z'),
        completed('dana', '2026-02-05T10:00:00Z'),
        linked('dana@acme.test', 'dana'),
        completed('erin', '2026-02-01T10:00:00Z'),
        retracted('Erin@acme.test', '2026-02-02T00:00:00Z'),
        linked('erin@acme.test', 'erin'),
        retracted('gus', '2026-02-02T00:00:00Z', 'prompting', 'globex'),
      ];
      const model = await expectRebuildEqualsLive(trainingProjection, events, { pool, batchSizes: [1, 3, 100] });
      expect(model.tables['retractions'].map((row) => JSON.parse(row).employee_id).sort()).toEqual(['dana', 'erin', 'gus']);
    });
  });
});
