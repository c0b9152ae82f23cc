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
import { TASK_TYPES } from '@rework-ledger/domain';
import { createPool } from '@rework-ledger/platform';
import { type GivenEvent, projectionSpec } from '@rework-ledger/projections/testing';
import { createTestDatabase } from '@rework-ledger/testing';
import fc from 'fast-check';
import type { Pool } from 'pg';
import { fromPgPool, type SqlQueryable } from '../sql-queryable';
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

type RawEvent = ReturnType<typeof event>;

/** A tenant's events as ingestion stores them: checked against the contract. */
const ingested = (tenant: string, events: RawEvent[]): GivenEvent[] =>
  events.map((raw) => {
    const result = validateEvent(raw, { fromCredentials: tenant });
    if (!result.ok) throw new Error(`the generator made an invalid event: ${JSON.stringify(result.errors)}`);
    const { id, source, type, time: at, data } = result.event;
    return { tenant, id, source, type, time: at, data };
  });

// Alpha: an ordinary tenant whose figures must never move, with costs exact in binary.
const ALPHA = ingested('alpha', [
  event('employee.assigned', '2026-01-01T00:00:00Z', { employeeId: 'ann', teamId: 'platform', hourlyCost: 90 }),
  event('ai.output.generated', '2026-03-02T10:00:00Z', { outputId: 'a1', employeeId: 'ann', tool: 'copilot', taskType: 'coding', minutesSavedEstimate: 45 }),
  event('ai.output.corrected', '2026-03-02T12:00:00Z', { outputId: 'a1', employeeId: 'ann', minutesSpent: 30 }),
  event('ai.output.generated', '2026-03-03T10:00:00Z', { outputId: 'a2', employeeId: 'bo', tool: 'chatgpt', taskType: 'drafting' }),
  event('ai.output.discarded', '2026-03-03T11:00:00Z', { outputId: 'a2', employeeId: 'bo', minutesSpent: 12 }),
  event('training.course_registered', '2026-01-01T00:00:00Z', { courseId: 'c1', title: 'Prompting', skills: ['prompting'], costPerSeat: 120, currency: 'EUR' }),
  event('training.completed', '2026-02-01T00:00:00Z', { employeeId: 'ann', courseId: 'c1', score: 0.5 }),
]);
const assignment = (hourlyCost: number) => event('employee.assigned', '2026-01-01T00:00:00Z', { employeeId: 'mallory', teamId: 'beta-team', hourlyCost });
// Beta: the finding's events at the largest cost admitted.
const BETA = ingested('beta', [
  assignment(MAX_MONEY_AMOUNT),
  event('ai.output.generated', '2026-03-02T10:00:00Z', { outputId: 'b1', employeeId: 'mallory', tool: 'copilot', taskType: 'coding', minutesSavedEstimate: MAX_MINUTES_SAVED_ESTIMATE }),
  event('ai.output.corrected', '2026-03-02T11:00:00Z', { outputId: 'b1', employeeId: 'mallory', minutesSpent: MAX_MINUTES_SPENT }),
]);
// Alpha's new outputs keep appearing.
const ALPHA_LATER = ingested('alpha', [event('ai.output.generated', '2026-03-04T10:00:00Z', { outputId: 'a3', employeeId: 'ann', tool: 'copilot', taskType: 'coding' })]);

describe('the projections under the most extreme values the contract admits (PostgreSQL, fast-check)', () => {
  let database: { url: string; drop(): Promise<void> };
  let pool: Pool;
  /** The read models of the scenario running (see `after`). */
  let db: SqlQueryable;

  /**
   * Both read models after the ingestions given (each its own batch), applied live (or as a rebuild) in one
   * transaction, without a runner: `check` reads them (`db`), then they are rolled back. A failure to apply throws.
   */
  const after = async <T>(ingestions: readonly (readonly GivenEvent[])[], check: () => Promise<T>, mode: 'live' | 'rebuild' = 'live'): Promise<T> => {
    const [first, ...more] = ingestions.filter((events) => events.length > 0);
    let scenario = projectionSpec([reworkMetricsProjection, trainingProjection], { pool, schema: 'live', mode }).given(first);
    for (const events of more) scenario = scenario.when(events);
    return scenario.then(async ({ client }) => {
      db = fromPgPool(client);
      return check();
    });
  };
  const query = (tenant: string, overrides: Partial<ReworkMetricsQuery> = {}) =>
    queryReworkMetrics(db, {
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
    const rows = async (table: string, order: string) => db.query(`SELECT * FROM ${table} WHERE tenant = $1 ORDER BY ${order}`, [tenant]);
    const march = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
    return {
      answers: [await query(tenant), await query(tenant, { groupBy: 'team', bucket: 'day', ...march }), await query(tenant, { groupBy: 'employee', ...march })],
      activity: await dailyActivityFromRollups(db, tenant, new Date(EPOCH), new Date(LATEST_EVENT_TIME)),
      outputs: await rows('rm_rework.outputs', 'output_id'),
      reworks: await rows('rm_rework.reworks', 'output_id, occurred_at, kind, minutes'),
      assignments: await rows('rm_rework.assignments', 'store_position'),
      rollups: await db.query(
        `SELECT r.*, cardinality(s.employee_sample) AS sampled FROM rm_rework.daily_rollup r JOIN rm_rework.daily_samples s USING (tenant, dimension, day, value, task_type)
          WHERE r.tenant = $1 ORDER BY dimension, day, value, task_type`,
        [tenant],
      ),
      courses: await listCourses(db, tenant),
      completions: await rows('rm_training.completions', 'employee_id, completed_at'),
      links: await rows('rm_training.identity_links', 'identifier'),
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('given the finding (hourlyCost 1e308, an output, a 1440-minute correction), then 1e308 is refused, and at the largest cost admitted the same events apply beside alpha', async () => {
    expect(validateEvent(assignment(1e308), { fromCredentials: 'beta' })).toMatchObject({ ok: false, errors: [{ code: 'FIELD.OUT_OF_RANGE', field: 'data.hourlyCost' }] });
    const alphaBefore = await after([ALPHA], () => figuresOf('alpha'));
    await after([ALPHA, BETA], async () => {
      const [beta] = await query('beta');
      expect(beta).toMatchObject({ outputs: 1, reworkMinutes: MAX_MINUTES_SPENT, lostCost: (MAX_MINUTES_SPENT / 60) * MAX_MONEY_AMOUNT });
    });
    await after([ALPHA, BETA, ALPHA_LATER], async () => {
      expect((await query('alpha'))[0].outputs).toBe(alphaBefore.answers[0][0].outputs + 1);
    });
  });

  it('given any batch of extreme valid events from one tenant, then every projection applies it, live and rebuilt, and the other tenant’s figures do not move', async () => {
    const before = [ALPHA, BETA, ALPHA_LATER];
    const alpha = await after(before, () => figuresOf('alpha'));
    // The wild tenant's events so far: each run's batch comes after those of the runs before it.
    const wild: GivenEvent[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(extremeEvent, { minLength: 1, maxLength: 25 }), async (events) => {
        const batch = ingested('wild', events);
        await after([...before, wild, batch], async () => {
          // Every read of the wild tenant answers (the sums over its extremes stay finite).
          for (const row of await query('wild', { groupBy: 'team' })) {
            for (const figure of [row.reworkMinutes, row.lostCost, row.lostHours, row.grossSavedHours, row.netSavedHours]) expect(Number.isFinite(figure)).toBe(true);
          }
          await dailyActivityFromRollups(db, 'wild', new Date(EPOCH), new Date(LATEST_EVENT_TIME));
          await dailyActivityFromOutputs(db, 'wild', new Date(EPOCH), new Date(LATEST_EVENT_TIME));
          expect(await figuresOf('alpha')).toEqual(alpha);
        });
        wild.push(...batch);
      }),
      { numRuns: 25 },
    );

    // The bulk path (a rebuild stages the facts and derives everything at its end) takes the same events.
    const wildBefore = await after([...before, wild], () => query('wild', { groupBy: 'team' }));
    await after(
      [...before, wild],
      async () => {
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
      },
      'rebuild',
    );
  }, 120_000);
});
