import {
  LATEST_EVENT_TIME,
  MAX_MINUTES_SAVED_ESTIMATE,
  MAX_MINUTES_SPENT,
  MAX_MONEY_AMOUNT,
  MAX_TOKENS,
  MIN_POSITIVE_NUMBER,
  validateEvent,
  WITHOUT_CONTROL_CHARACTERS,
  isStorableText,
} from '@rework-ledger/contracts';
import { streamNameFor, TASK_TYPES } from '@rework-ledger/domain';
import { createPostgresEventStore, type EventStore, migrateEventStore } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { createProjectionRunner, migrateProjections, type ProjectionRunner } from '@rework-ledger/projections';
import { createTestDatabase } from '@rework-ledger/testing';
import fc from 'fast-check';
import type { Pool } from 'pg';
import { fromPgPool } from '../sql-queryable';
import { dailyActivityFromOutputs, dailyActivityFromRollups, listCourses } from '../training/training.queries';
import { trainingProjection } from '../training/training.projection';
import { reworkMetricsProjection } from './rework-metrics.projection';
import { queryReworkMetrics, type ReworkMetricsQuery } from './rework-metrics.query';

// Issue 14, finding 1: one tenant's `employee.assigned {hourlyCost: 1e308}`, an output and a 1440-minute correction
// made the shared rework projection fail with `value out of range: overflow` for every tenant. Now every number has a
// bound (libs/contracts/src/lib/limits.ts); this drives the projections, live and rebuilt, with the extremes the
// contract admits, from one tenant, and checks that they apply and that another tenant's figures do not move.

const MINUTES_SAVED = { drafting: 20, analysis: 30, 'decision-support': 15, automation: 25, coding: 30, other: 10 };
const EPOCH = '1970-01-01T00:00:00Z';
let counter = 0;
const event = (type: string, time: string, data: Record<string, unknown>) => ({ specversion: '1.0', id: `x-${++counter}`, source: 'urn:test:extreme', type, time, data });

// Valid identifiers, awkward ones first: what COPY, array literals and JSON must carry as they are.
const awkwardIds = ['quote"d', 'back\\slash', 'back\\t\\nslashes', 'comma,{brace}', "o'brien", 'ünï €', '😀', ' ', 'x'.repeat(200), 'NULL', '\\N'];
const anyId = fc.oneof(
  fc.constantFrom(...awkwardIds),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((id) => WITHOUT_CONTROL_CHARACTERS.test(id) && isStorableText(id)),
);
const employee = fc.constantFrom('e1', 'e2', 'quote"d', '😀');
const output = fc.constantFrom('o1', 'o2', 'o3', 'back\\slash');
/** 0, the smallest and the largest number admitted, and any between (the contract admits nothing between 0 and MIN_POSITIVE_NUMBER). */
const upTo = (max: number) => fc.oneof(fc.constantFrom(0, MIN_POSITIVE_NUMBER, max), fc.double({ min: MIN_POSITIVE_NUMBER, max, noNaN: true }));
const money = upTo(MAX_MONEY_AMOUNT);
const minutes = upTo(MAX_MINUTES_SPENT);
const saved = upTo(MAX_MINUTES_SAVED_ESTIMATE);
const tokens = fc.oneof(fc.constantFrom(0, MAX_TOKENS), fc.integer({ min: 0, max: 2 ** 31 + 5 }));
const time = fc.oneof(
  fc.constantFrom(EPOCH, LATEST_EVENT_TIME, '2026-03-05T10:00:00Z', '2026-03-05T23:59:59.999Z'),
  fc.date({ min: new Date(EPOCH), max: new Date(LATEST_EVENT_TIME), noInvalidDate: true }).map((date) => date.toISOString()),
);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const defined = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));

const extremeEvent = fc.oneof(
  fc
    .record({ employeeId: employee, teamId: anyId, hourlyCost: optional(money), effectiveFrom: optional(time), at: time })
    .map(({ at, ...data }) => event('employee.assigned', at, defined(data))),
  fc
    .record({
      outputId: output,
      employeeId: employee,
      teamId: optional(anyId),
      tool: anyId,
      model: optional(anyId),
      taskType: fc.constantFrom(...TASK_TYPES),
      inputTokens: optional(tokens),
      outputTokens: optional(tokens),
      minutesSavedEstimate: optional(saved),
      at: time,
    })
    .map(({ at, ...data }) => event('ai.output.generated', at, defined(data))),
  fc
    .record({ kind: fc.constantFrom('corrected', 'rewritten', 'double_checked', 'discarded'), outputId: output, employeeId: employee, minutesSpent: minutes, at: time })
    .map(({ kind, at, ...data }) => event(`ai.output.${kind}`, at, data)),
  fc
    .record({ courseId: anyId, costPerSeat: money, score: optional(upTo(1)), at: time })
    .chain(({ courseId, costPerSeat, score, at }) =>
      fc.constantFrom(
        event('training.course_registered', at, { courseId, title: 'T\tab\nline', skills: [courseId], costPerSeat, currency: 'IRR', activityIds: [`https://x.test/${'ü'.repeat(900)}`] }),
        event('training.completed', at, defined({ employeeId: 'e1', courseId, score })),
        event('employee.identity_linked', at, { employeeId: 'e2', system: courseId, externalId: `mailto:${'ü'.repeat(700)}@x.test` }),
      ),
    ),
);

describe('the projections under the most extreme values the contract admits (PostgreSQL, fast-check)', () => {
  let database: { url: string; drop(): Promise<void> };
  let pool: Pool;
  let store: EventStore;
  let runners: ProjectionRunner[];
  const errors: unknown[] = [];

  const append = async (tenant: string, events: unknown[]) => {
    const appends = events.map((raw) => {
      const result = validateEvent(raw, { fromCredentials: tenant });
      if (!result.ok) throw new Error(`the generator made an invalid event: ${JSON.stringify(result.errors)}`);
      const { id, source, type, time: at, data } = result.event;
      return { streamId: streamNameFor(type, data), expectedVersion: 'any' as const, events: [{ id, source, type, time: at, data }] };
    });
    await store.append(tenant, appends);
  };
  const caughtUp = async () => {
    try {
      for (const runner of runners) await runner.waitUntilCaughtUp(15_000);
    } finally {
      expect(errors.map((error) => (error as Error).message)).toEqual([]);
    }
  };
  const query = (tenant: string, overrides: Partial<ReworkMetricsQuery> = {}) =>
    queryReworkMetrics(fromPgPool(pool), {
      tenant,
      from: new Date(EPOCH),
      to: new Date('9999-12-31T23:59:59Z'),
      defaultHourlyCost: 60,
      defaultMinutesSavedByTaskType: MINUTES_SAVED,
      privacyMinGroupSize: 1,
      ...overrides,
    });
  /** Every figure of a tenant: the answers to a few queries, and every row it has in every read-model table. */
  const figuresOf = async (tenant: string) => {
    const rows = async (table: string, order: string) => (await pool.query(`SELECT * FROM ${table} WHERE tenant = $1 ORDER BY ${order}`, [tenant])).rows;
    const march = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
    return {
      answers: await Promise.all([query(tenant), query(tenant, { groupBy: 'team', bucket: 'day', ...march }), query(tenant, { groupBy: 'employee', ...march })]),
      activity: await dailyActivityFromRollups(fromPgPool(pool), tenant, new Date(EPOCH), new Date(LATEST_EVENT_TIME)),
      outputs: await rows('rm_rework.outputs', 'output_id'),
      reworks: await rows('rm_rework.reworks', 'output_id, occurred_at, kind, minutes'),
      assignments: await rows('rm_rework.assignments', 'store_position'),
      rollups: (
        await pool.query(
          `SELECT r.*, cardinality(s.employee_sample) AS sampled FROM rm_rework.daily_rollup r JOIN rm_rework.daily_samples s USING (tenant, dimension, day, value, task_type)
            WHERE r.tenant = $1 ORDER BY dimension, day, value, task_type`,
          [tenant],
        )
      ).rows,
      courses: await listCourses(fromPgPool(pool), tenant),
      completions: await rows('rm_training.completions', 'employee_id, completed_at'),
      links: await rows('rm_training.identity_links', 'system, external_id'),
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrateEventStore(pool);
    await migrateProjections(pool);
    store = createPostgresEventStore({ pool });
    runners = [reworkMetricsProjection, trainingProjection].map((projection) =>
      createProjectionRunner({ pool, store, projection, idlePollMs: 20, onError: (error) => errors.push(error) }),
    );
    for (const runner of runners) runner.start();
    // Alpha: an ordinary tenant whose figures must never move, with costs exact in binary.
    await append('alpha', [
      event('employee.assigned', '2026-01-01T00:00:00Z', { employeeId: 'ann', teamId: 'platform', hourlyCost: 90 }),
      event('ai.output.generated', '2026-03-02T10:00:00Z', { outputId: 'a1', employeeId: 'ann', tool: 'copilot', taskType: 'coding', minutesSavedEstimate: 45 }),
      event('ai.output.corrected', '2026-03-02T12:00:00Z', { outputId: 'a1', employeeId: 'ann', minutesSpent: 30 }),
      event('ai.output.generated', '2026-03-03T10:00:00Z', { outputId: 'a2', employeeId: 'bo', tool: 'chatgpt', taskType: 'drafting' }),
      event('ai.output.discarded', '2026-03-03T11:00:00Z', { outputId: 'a2', employeeId: 'bo', minutesSpent: 12 }),
      event('training.course_registered', '2026-01-01T00:00:00Z', { courseId: 'c1', title: 'Prompting', skills: ['prompting'], costPerSeat: 120, currency: 'EUR' }),
      event('training.completed', '2026-02-01T00:00:00Z', { employeeId: 'ann', courseId: 'c1', score: 0.5 }),
    ]);
    await caughtUp();
  });

  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await store.close();
    await pool.end();
    await database.drop();
  });

  it('given the finding (hourlyCost 1e308, an output, a 1440-minute correction), then 1e308 is refused, and at the largest cost admitted the same events apply beside alpha', async () => {
    const assignment = (hourlyCost: number) => event('employee.assigned', '2026-01-01T00:00:00Z', { employeeId: 'mallory', teamId: 'beta-team', hourlyCost });
    expect(validateEvent(assignment(1e308), { fromCredentials: 'beta' })).toMatchObject({ ok: false, errors: [{ code: 'FIELD.OUT_OF_RANGE', field: 'data.hourlyCost' }] });
    const alphaBefore = await figuresOf('alpha');
    await append('beta', [
      assignment(MAX_MONEY_AMOUNT),
      event('ai.output.generated', '2026-03-02T10:00:00Z', { outputId: 'b1', employeeId: 'mallory', tool: 'copilot', taskType: 'coding', minutesSavedEstimate: MAX_MINUTES_SAVED_ESTIMATE }),
      event('ai.output.corrected', '2026-03-02T11:00:00Z', { outputId: 'b1', employeeId: 'mallory', minutesSpent: MAX_MINUTES_SPENT }),
    ]);
    await caughtUp();
    const [beta] = await query('beta');
    expect(beta).toMatchObject({ outputs: 1, reworkMinutes: MAX_MINUTES_SPENT, lostCost: (MAX_MINUTES_SPENT / 60) * MAX_MONEY_AMOUNT });
    // Alpha's new outputs keep appearing.
    await append('alpha', [event('ai.output.generated', '2026-03-04T10:00:00Z', { outputId: 'a3', employeeId: 'ann', tool: 'copilot', taskType: 'coding' })]);
    await caughtUp();
    expect((await query('alpha'))[0].outputs).toBe(alphaBefore.answers[0][0].outputs + 1);
  });

  it('given any batch of extreme valid events from one tenant, then every projection applies it, live and rebuilt, and the other tenant’s figures do not move', async () => {
    const alpha = await figuresOf('alpha');
    await fc.assert(
      fc.asyncProperty(fc.array(extremeEvent, { minLength: 1, maxLength: 25 }), async (events) => {
        await append('wild', events);
        await caughtUp();
        // Every read of the wild tenant answers (the sums over its extremes stay finite).
        for (const row of await query('wild', { groupBy: 'team' })) {
          for (const figure of [row.reworkMinutes, row.lostCost, row.lostHours, row.grossSavedHours, row.netSavedHours]) expect(Number.isFinite(figure)).toBe(true);
        }
        await dailyActivityFromRollups(fromPgPool(pool), 'wild', new Date(EPOCH), new Date(LATEST_EVENT_TIME));
        await dailyActivityFromOutputs(fromPgPool(pool), 'wild', new Date(EPOCH), new Date(LATEST_EVENT_TIME));
        expect(await figuresOf('alpha')).toEqual(alpha);
      }),
      { numRuns: 25 },
    );

    // The bulk path (a rebuild stages the facts and derives everything at its end) takes the same events.
    const wildBefore = await query('wild', { groupBy: 'team' });
    for (const runner of runners) await runner.requestRebuild();
    await caughtUp();
    expect(await figuresOf('alpha')).toEqual(alpha);
    const wildAfter = await query('wild', { groupBy: 'team' });
    expect(wildAfter.map((row) => [row.group, row.outputs, row.corrections, row.rewrites, row.doubleChecks, row.discards])).toEqual(
      wildBefore.map((row) => [row.group, row.outputs, row.corrections, row.rewrites, row.doubleChecks, row.discards]),
    );
    // Sums of arbitrary doubles in another order agree to the last few bits, not to the last bit.
    wildAfter.forEach((row, i) => {
      for (const key of ['reworkMinutes', 'lostCost', 'grossSavedHours'] as const) {
        expect(Math.abs(row[key] - wildBefore[i][key])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(wildBefore[i][key])));
      }
    });
  }, 120_000);
});
