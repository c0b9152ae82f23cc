import { preset } from '@rework-ledger/demo-data';
import { createPool } from '@rework-ledger/platform';
import { expectRebuildEqualsLive, type GivenEvent } from '@rework-ledger/projections/testing';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { shuffledOrganisation } from './generated-organisation.test-support';
import { READ_MODEL_PROJECTIONS } from './read-model-projections';

const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
const generated = (tenant: string, outputId: string, employeeId: string, time: string, extra: Record<string, unknown> = {}): GivenEvent => ({
  tenant,
  type: 'ai.output.generated',
  time,
  data: { outputId, employeeId, tool: 'copilot', taskType: 'coding', ...extra },
});
const rework = (tenant: string, kind: string, outputId: string, employeeId: string, minutesSpent: number, time: string): GivenEvent => ({
  tenant,
  type: `ai.output.${kind}`,
  time,
  data: { outputId, employeeId, minutesSpent },
});
const assigned = (tenant: string, employeeId: string, teamId: string, time: string, hourlyCost?: number): GivenEvent => ({
  tenant,
  type: 'employee.assigned',
  time,
  data: { employeeId, teamId, ...(hourlyCost === undefined ? {} : { hourlyCost }) },
});

// Ids and teams with the characters the rebuild's COPY and array literals must escape (a tab or a newline in an
// identifier is refused by the contract; backslash sequences that COPY would read as them are not).
const AWKWARD = ['quote"d', 'back\\slash', 'comma,{brace}', 'back\\t\\nslashes', "o'brien", 'ünï €', '\\N', 'NULL'];
const usage = (tenant: string, employeeId: string, time: string, data: Record<string, unknown>): GivenEvent => ({
  tenant,
  type: 'ai.usage.recorded',
  time,
  data: { employeeId, tool: 'github-copilot', ...data },
});
const cumulativeCost = (tenant: string, employeeId: string, time: string, point: string, cost: number, seriesStart: string): GivenEvent =>
  usage(tenant, employeeId, time, { tool: 'claude-code', usageKey: `cost/${employeeId}/${point}`, day: time.slice(0, 10), cost, currency: 'USD', cumulative: true, series: `cost/${employeeId}`, seriesStart });

/**
 * Facts in the orders that make the live path work hardest: rework before its output, an assignment later than the
 * outputs it re-attributes, a repeated output, an event that breaks the contract (parked), two tenants, training;
 * awkward ids (in the samples); the largest values the contract admits and its earliest and latest times (in the fact
 * extent), then a repeat of an output later than every fact.
 */
const EVENTS: GivenEvent[] = [
  assigned('acme', 'alice', 'platform', at(1), 80),
  generated('acme', 'o1', 'alice', at(2), { model: 'gpt' }),
  rework('acme', 'corrected', 'o2', 'bob', 12, at(3)),
  generated('acme', 'o2', 'bob', at(2, 11), { taskType: 'drafting' }),
  assigned('acme', 'bob', 'data', at(1, 9), 60),
  rework('acme', 'rewritten', 'o1', 'bob', 30, at(4)),
  generated('acme', 'o1', 'alice', at(5)),
  assigned('acme', 'alice', 'data', at(3, 12), 90),
  rework('acme', 'discarded', 'o3', 'carol', 5, at(6)),
  generated('initech', 'i1', 'dave', at(2)),
  rework('initech', 'double_checked', 'i1', 'dave', 4, at(2, 12)),
  assigned('initech', 'dave', 'ops', at(1)),
  { tenant: 'acme', type: 'employee.assigned', time: at(7), data: { employeeId: 'erin' } }, // no teamId: parked
  { tenant: 'acme', type: 'training.course_registered', time: at(1), data: { courseId: 'prompting', title: 'Prompting', skills: ['prompting'], costPerSeat: 150, currency: 'EUR', activityIds: ['https://lms.test/p'] } },
  { tenant: 'acme', type: 'employee.identity_linked', time: at(1), data: { employeeId: 'alice', system: 'lms', externalId: 'mailto:alice@acme.test' } },
  { tenant: 'acme', type: 'training.completed', time: at(8), data: { employeeId: 'alice', courseId: 'prompting', score: 0.9 } },
  ...AWKWARD.map((employeeId, i) => generated('odd', `a${i}`, employeeId, at(5), { teamId: AWKWARD[(i + 1) % AWKWARD.length] })),
  assigned('extreme', 'max', 'edge', '1970-01-01T00:00:00.000Z', 1e9),
  generated('extreme', 'x1', 'max', '1970-01-01T00:00:00.000Z', { minutesSavedEstimate: 525_600, inputTokens: 1e12, outputTokens: 1e12 }),
  rework('extreme', 'corrected', 'x1', 'max', 1440, '9999-12-31T23:59:59.999Z'),
  generated('extreme', 'x2', 'max', '9999-12-31T00:00:00.000Z', { minutesSavedEstimate: 525_600 }),
  rework('extreme', 'rewritten', 'x2', 'max', 1440, '9999-12-31T23:59:59.999Z'),
  rework('extreme', 'discarded', 'x2', 'max', 1440, '9999-12-31T23:59:59.999Z'),
  generated('acme', 'o1', 'alice', at(20)),
  // Usage: a report revised under the same usageKey, a cumulative series with a reset, a late point, a new start and an older run.
  usage('acme', 'alice', at(2), { usageKey: 'gh/alice/2', day: '2026-03-02', requests: 5, suggestions: 10, acceptances: 3 }),
  usage('acme', 'carol', at(2), { usageKey: 'gh/carol/2', day: '2026-03-02', teamId: 'design', requests: 1 }),
  usage('acme', 'alice', at(9), { usageKey: 'gh/alice/2', day: '2026-03-02', requests: 4, suggestions: 12, acceptances: 6 }),
  cumulativeCost('acme', 'bob', at(2, 10), 'p1', 1.5, '2026-03-02T09:00:00Z'),
  cumulativeCost('acme', 'bob', at(2, 11), 'p2', 2.25, '2026-03-02T09:00:00Z'),
  cumulativeCost('acme', 'bob', at(2, 9), 'p3', 0.5, '2026-03-02T09:00:00Z'), // late
  cumulativeCost('acme', 'bob', at(2, 12), 'p4', 0.75, '2026-03-02T09:00:00Z'), // lower: a reset
  cumulativeCost('acme', 'bob', at(2, 13), 'p5', 0.25, '2026-03-02T12:30:00Z'), // a new start
  cumulativeCost('acme', 'bob', at(2, 14), 'p6', 9, '2026-03-02T09:00:00Z'), // an older run (another writer): late
  cumulativeCost('acme', 'bob', at(2, 15), 'p7', 0.5, '2026-03-02T12:30:00Z'),
  { tenant: 'acme', type: 'ai.usage.recorded', time: at(2), data: { employeeId: 'bob', tool: 't', day: '2026-03-02', usageKey: 'k' } }, // no figure: parked
  usage('initech', 'dave', at(2), { usageKey: 'gh/dave/2', day: '2026-03-02', credits: 2 }),
  // Identity: facts under an unlinked email (a mailto: and case variant), then links that re-attribute and re-point them.
  usage('acme', 'mailto:Carol@Acme.test', at(3), { usageKey: 'gh/carol-mail/3', day: '2026-03-03', requests: 2 }),
  { tenant: 'acme', type: 'training.completed', time: at(9), data: { employeeId: 'Bob@Acme.test', courseId: 'prompting' } },
  { tenant: 'acme', type: 'employee.identity_linked', time: at(10), data: { employeeId: 'erin', system: 'email', externalId: 'carol@acme.test' } },
  { tenant: 'acme', type: 'employee.identity_linked', time: at(10), data: { employeeId: 'bob', system: 'lms', externalId: 'mailto:bob@acme.test' } },
  { tenant: 'acme', type: 'employee.identity_linked', time: at(11), data: { employeeId: 'carol', system: 'email', externalId: 'CAROL@acme.test' } },
  // Outputs and rework under an unlinked email, linked to alice (her team, her costs), then re-pointed to bob.
  generated('acme', 'o4', 'Dan@Acme.test', at(4), { minutesSavedEstimate: 20 }),
  rework('acme', 'corrected', 'o4', 'mailto:dan@acme.test', 10, at(4, 12)),
  rework('acme', 'corrected', 'o2', 'DAN@acme.test', 3, at(4, 13)),
  { tenant: 'acme', type: 'employee.identity_linked', time: at(12), data: { employeeId: 'alice', system: 'email', externalId: 'dan@acme.test' } },
  generated('acme', 'o5', 'dan@acme.test', at(6)),
  { tenant: 'acme', type: 'employee.identity_linked', time: at(13), data: { employeeId: 'bob', system: 'email', externalId: 'mailto:Dan@acme.test' } },
  // A late assignment that changes alice's known hourly cost at her outputs' time (80 → 85): her saved time is re-priced.
  assigned('acme', 'alice', 'platform', at(1, 12), 85),
  // A retraction of alice's completion, stored before a completion it does not reach (later) and one it does (earlier).
  { tenant: 'acme', type: 'training.completion_retracted', time: at(12), data: { employeeId: 'alice', courseId: 'prompting' } },
  { tenant: 'acme', type: 'training.completed', time: at(13), data: { employeeId: 'mailto:alice@acme.test', courseId: 'prompting' } },
  { tenant: 'acme', type: 'training.completed', time: at(7), data: { employeeId: 'alice', courseId: 'prompting' } },
];

/** A small generated organisation (10 employees, 10 weeks, ~1.3k events), in a shuffled store order. */
const END = new Date('2025-07-01T00:00:00Z');
const ORGANISATION = shuffledOrganisation(preset('small', { employees: 10, start: new Date(END.getTime() - 70 * 86_400_000), end: END }));
/**
 * The generator makes no usage facts: one per employee, tool and day of outputs (its requests), and a cumulative
 * token series per employee read at each such day, so the usage read model gets a generated organisation too.
 */
const ORGANISATION_USAGE: GivenEvent[] = (() => {
  const requests = new Map<string, { tenant: string; employeeId: string; tool: string; day: string; count: number }>();
  for (const event of ORGANISATION.given) {
    if (event.type !== 'ai.output.generated') continue;
    const data = event.data as { employeeId: string; tool: string };
    const day = new Date(event.time ?? 0).toISOString().slice(0, 10);
    const key = [event.tenant, data.employeeId, data.tool, day].join('/');
    const entry = requests.get(key) ?? { tenant: event.tenant ?? 'tenant-a', employeeId: data.employeeId, tool: data.tool, day, count: 0 };
    entry.count += 1;
    requests.set(key, entry);
  }
  const tokens = new Map<string, number>();
  return [...requests.entries()].flatMap(([key, { tenant, employeeId, tool, day, count }]) => {
    const total = (tokens.get(employeeId) ?? 0) + count * 1000;
    tokens.set(employeeId, total);
    const time = `${day}T23:00:00.000Z`;
    return [
      usage(tenant, employeeId, time, { tool, usageKey: `requests/${key}`, day, requests: count }),
      usage(tenant, employeeId, time, { tool, usageKey: `tokens/${key}`, day, inputTokens: total, cumulative: true, series: `tokens/${employeeId}`, seriesStart: '2025-01-01T00:00:00Z' }),
    ];
  });
})();

describe('every read model: a rebuild gives the read model live gives, whatever the batch sizes', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it.each(READ_MODEL_PROJECTIONS.map((projection) => [projection.name, projection] as const))('%s', async (_name, projection) => {
    const model = await expectRebuildEqualsLive(projection, EVENTS, { pool, batchSizes: [1, 4, 100] });
    expect(Object.values(model.tables).some((rows) => rows.length > 0)).toBe(true);
    // The assignment without a team breaks the contract: parked by the read model that reads assignments, live and rebuilt.
    // So does the usage fact without a figure, by the usage read model.
    expect(model.parked).toHaveLength((projection.handles?.includes('employee.assigned') ? 1 : 0) + (projection.handles?.includes('ai.usage.recorded') ? 1 : 0));
  }, 120_000);

  it.each(READ_MODEL_PROJECTIONS.map((projection) => [projection.name, projection] as const))('%s, on a generated organisation', async (_name, projection) => {
    expect(ORGANISATION.given.length).toBeGreaterThan(1000);
    // Its costs are fractions, summed in another order batch by batch than at a rebuild's end: equal to 12 digits.
    const model = await expectRebuildEqualsLive(projection, [...ORGANISATION.given, ...ORGANISATION_USAGE], { pool, batchSizes: [13, 250, 5000], significantDigits: 12 });
    expect(Object.values(model.tables).some((rows) => rows.length > 0)).toBe(true);
    expect(model.parked).toEqual([]);
  }, 300_000);
});
