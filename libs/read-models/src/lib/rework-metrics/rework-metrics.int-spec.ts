import { createPostgresEventStore, migrateEventStore } from '@rework-ledger/event-store';
import { validateEvent } from '@rework-ledger/contracts';
import { streamNameFor } from '@rework-ledger/domain';
import { createPool } from '@rework-ledger/platform';
import { type GivenEvent, projectionSpec } from '@rework-ledger/projections/testing';
import { createTestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { fromPgPool, type SqlQueryable } from '../sql-queryable';
import { reworkMetricsProjection } from './rework-metrics.projection';
import { queryReworkCells, type ReworkCellsQuery, queryReworkMetrics, type ReworkMetricsQuery } from './rework-metrics.query';
import { EMPLOYEE_SAMPLE_SIZE } from './rework-rollups';
import { dailyActivityFromRollups } from '../training/training.queries';

const MINUTES_SAVED = { drafting: 20, analysis: 30, 'decision-support': 15, automation: 25, coding: 30, other: 10 };
let counter = 0;
const event = (type: string, time: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: `evt-${++counter}`,
  source: 'urn:test',
  type,
  time,
  data,
});
const generated = (outputId: string, employeeId: string, time: string, extra: Record<string, unknown> = {}) =>
  event('ai.output.generated', time, { outputId, employeeId, tool: 'copilot', taskType: 'coding', ...extra });
const rework = (kind: string, outputId: string, employeeId: string, minutesSpent: number, time: string) =>
  event(`ai.output.${kind}`, time, { outputId, employeeId, minutesSpent });
const assigned = (employeeId: string, teamId: string, time: string, extra: Record<string, unknown> = {}) =>
  event('employee.assigned', time, { employeeId, teamId, ...extra });
type RawEvent = ReturnType<typeof event>;

/** A tenant's events, as ingestion stores them: checked against the contract, in the order given. */
const ingested = (tenant: string, events: RawEvent[]): GivenEvent[] =>
  events.map((raw) => {
    const result = validateEvent(raw, { fromCredentials: tenant });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { id, source, type, time, data } = result.event;
    return { tenant, id, source, type, time, data, streamId: streamNameFor(type, data) };
  });

// What the tests ingest, in store order, each ingestion a batch of its own: every test is given the ingestions up to
// its own (the read model as the tests before it left it).
const repeat = generated('o3', 'bob', '2026-03-10T09:00:00Z');
const awkward = ['quote"d', 'back\\slash', 'comma,{brace}', 'back\\t\\nslashes', "o'brien", 'ünï €', '\\N', 'NULL'];
const INGESTIONS = {
  acme: ingested('acme', [
    assigned('alice', 'platform', '2026-01-01T00:00:00Z', { hourlyCost: 90 }),
    assigned('bob', 'finance', '2026-01-01T00:00:00Z'),
    // Rework that arrives before its output is kept and attributed once the output arrives.
    rework('corrected', 'o1', 'bob', 30, '2026-03-02T12:00:00Z'),
    generated('o1', 'alice', '2026-03-02T10:00:00Z', { minutesSavedEstimate: 45 }),
    rework('double_checked', 'o1', 'alice', 6, '2026-03-02T13:00:00Z'),
    generated('o2', 'alice', '2026-03-09T10:00:00Z', { taskType: 'drafting', model: 'gpt-x' }),
    rework('discarded', 'o2', 'alice', 12, '2026-03-10T10:00:00Z'),
    generated('o3', 'bob', '2026-03-10T09:00:00Z', { teamId: 'special-projects' }),
    generated('o4', 'carol', '2026-03-11T09:00:00Z'),
    rework('rewritten', 'o4', 'carol', 60, '2026-04-02T09:00:00Z'),
    // Outside the period: not counted, nor is its rework.
    generated('o5', 'alice', '2026-02-27T10:00:00Z'),
    rework('corrected', 'o5', 'alice', 100, '2026-03-03T10:00:00Z'),
    // Rework on an output that never arrived: kept, not counted.
    rework('corrected', 'ghost', 'alice', 999, '2026-03-03T10:00:00Z'),
  ]),
  lateCarol: ingested('acme', [assigned('carol', 'support', '2026-03-20T00:00:00Z', { effectiveFrom: '2026-03-01T00:00:00Z', hourlyCost: 30 })]),
  repeats: ingested('acme', [repeat, { ...repeat, id: 'another-id-same-output', time: '2026-03-12T09:00:00Z' }]),
  globex: ingested('globex', [generated('o1', 'zed', '2026-03-05T10:00:00Z')]),
  initechMany: ingested('initech', [
    ...Array.from({ length: EMPLOYEE_SAMPLE_SIZE + 8 }, (_, i) => generated(`w${i}`, `worker-${String(i).padStart(2, '0')}`, '2026-03-05T10:00:00Z', { teamId: 'big' })),
    ...Array.from({ length: 6 }, (_, i) => generated(`f${i}`, `few-${i}`, '2026-03-05T11:00:00Z', { teamId: 'medium' })),
  ]),
  initechLone: ingested('initech', [generated('lone', 'loner', '2026-03-06T10:00:00Z', { teamId: 'tiny' })]),
  hooli: ingested('hooli', [generated('h1', 'dana', '2026-03-03T10:00:00Z'), generated('h2', 'erin', '2026-03-04T10:00:00Z')]),
  hooliLate: ingested('hooli', [
    assigned('dana', 'research', '2026-03-20T00:00:00Z', { effectiveFrom: '2026-03-01T00:00:00Z', hourlyCost: 120 }),
    rework('corrected', 'h1', 'dana', 15, '2026-03-21T10:00:00Z'),
  ]),
  umbrella: ingested('umbrella', [generated('u1', 'gina', '2026-03-03T10:00:00Z', { model: 'm1' }), generated('u2', 'hal', '2026-03-03T11:00:00Z', { model: 'm1' })]),
  umbrellaLate: ingested('umbrella', [assigned('gina', 'labs', '2026-03-20T00:00:00Z', { effectiveFrom: '2026-03-01T00:00:00Z' })]),
  // Small cells spread over days: 5 people, 2 of them on both days.
  initechSpread: ingested('initech', [
    ...['p1', 'p2', 'p3'].map((id, i) => generated(`s1-${i}`, id, '2026-03-10T10:00:00Z', { teamId: 'spread', tool: 'rare' })),
    ...['p2', 'p3', 'p4', 'p5'].map((id, i) => generated(`s2-${i}`, id, '2026-03-11T10:00:00Z', { teamId: 'spread', tool: 'rare' })),
  ]),
  // Ids and teams with the characters the rebuild's COPY and array literals must escape (a tab or a newline in an
  // identifier is refused by the contract since issue 14; backslash sequences that COPY would read as them are not).
  awkward: ingested('awkward', awkward.map((employeeId, i) => generated(`a${i}`, employeeId, '2026-03-05T10:00:00Z', { teamId: awkward[(i + 1) % awkward.length] }))),
  // The largest values the contract admits, and its earliest and latest times (exact in binary, so compared exactly).
  extreme: ingested('extreme', [
    assigned('max', 'edge', '1970-01-01T00:00:00Z', { hourlyCost: 1e9 }),
    generated('x1', 'max', '1970-01-01T00:00:00Z', { minutesSavedEstimate: 525_600, inputTokens: 1e12, outputTokens: 1e12 }),
    rework('corrected', 'x1', 'max', 1440, '9999-12-31T23:59:59.999Z'),
    generated('x2', 'max', '9999-12-31T00:00:00Z', { minutesSavedEstimate: 525_600 }),
    rework('rewritten', 'x2', 'max', 1440, '9999-12-31T23:59:59.999Z'),
    rework('discarded', 'x2', 'max', 1440, '9999-12-31T23:59:59.999Z'),
  ]),
  // A repeat of an output, later than every fact, in a batch of its own.
  lateRepeat: ingested('acme', [{ ...generated('o1', 'alice', '2026-05-20T10:00:00Z'), id: 'a-late-repeat-of-o1' }]),
};
type Ingestion = keyof typeof INGESTIONS;

describe('rework metrics read model (PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let pool: Pool;
  /** The read model of the scenario running (see `after`). */
  let db: SqlQueryable;

  /**
   * The read model after the ingestions up to `last` (each its own batch), applied as the live path does (or as a
   * rebuild does) in one transaction, without a runner: `check` reads it (`db`), then it is rolled back.
   */
  const after = async <T>(last: Ingestion, check: () => Promise<T>, mode: 'live' | 'rebuild' = 'live'): Promise<T> => {
    const names = Object.keys(INGESTIONS) as Ingestion[];
    const [first, ...more] = names.slice(0, names.indexOf(last) + 1).map((name) => INGESTIONS[name]);
    let scenario = projectionSpec(reworkMetricsProjection, { pool, schema: 'live', mode }).given(first);
    for (const events of more) scenario = scenario.when(events);
    return scenario.then(async ({ client }) => {
      db = fromPgPool(client);
      return check();
    });
  };
  const query = (overrides: Partial<ReworkMetricsQuery> = {}) =>
    queryReworkMetrics(db, {
      tenant: 'acme',
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-04-01T00:00:00Z'),
      defaultHourlyCost: 60,
      defaultMinutesSavedByTaskType: MINUTES_SAVED,
      privacyMinGroupSize: 5,
      ...overrides,
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('given outputs, rework (some before its output) and assignments, then every v1 metric is exact', () =>
    after('acme', async () => {

      const [total] = await query();
      expect(total).toEqual({
        group: null,
        bucket: null,
        outputs: 4,
        reworkedOutputs: 3,
        reworkRate: 0.75,
        doubleCheckRate: 0.25,
        corrections: 1,
        rewrites: 1,
        doubleChecks: 1,
        discards: 1,
        reworkMinutes: 108,
        lostHours: 1.8,
        // bob 30 min at the default 60/h; alice 6 + 12 min at 90/h; carol 60 min at the default.
        lostCost: 30 + 27 + 60,
        // 45 estimated + drafting 20 + coding 30 + coding 30 (defaults)
        grossSavedHours: 125 / 60,
        netSavedHours: 125 / 60 - 1.8,
        // Priced at the author's hourly cost at generation: alice's 45 estimated + 20 drafting minutes at 90/h; bob (no
        // cost) and carol (no assignment) 30 coding minutes each at the default 60/h.
        savedValue: (45 / 60) * 90 + (20 / 60) * 90 + (30 / 60) * 60 + (30 / 60) * 60,
        doubleCheckedOutputs: 1,
        employees: 3,
        employeeIds: ['alice', 'bob', 'carol'],
      });

      const byTeam = await query({ groupBy: 'team' });
      expect(byTeam.map((row) => [row.group, row.outputs, row.reworkedOutputs])).toEqual([
        ['(unassigned)', 1, 1],
        ['platform', 2, 2],
        ['special-projects', 1, 0],
      ]);

      const byWeek = await query({ bucket: 'week' });
      expect(byWeek.map((row) => [row.bucket, row.outputs])).toEqual([
        ['2026-03-02T00:00:00.000Z', 1],
        ['2026-03-09T00:00:00.000Z', 3],
      ]);
      const byModel = await query({ groupBy: 'model', filters: { team: 'platform' } });
      expect(byModel.map((row) => [row.group, row.outputs])).toEqual([
        ['(unspecified)', 1],
        ['gpt-x', 1],
      ]);
    }));

  it('given a late employee.assigned, then past outputs are re-attributed to the team in effect at their time', () =>
    after('lateCarol', async () => {
      const byTeam = await query({ groupBy: 'team' });
      expect(byTeam.map((row) => row.group)).toEqual(['platform', 'special-projects', 'support']);
      const [total] = await query();
      expect(total.lostCost).toBe(30 + 27 + 30);
      // carol's hourly cost (30/h since March 1st) now prices the time her output saved too, from the rollups as from the outputs.
      expect(total.savedValue).toBe(67.5 + 30 + 30 + (30 / 60) * 30);
      expect((await query({ readFrom: 'outputs' }))[0].savedValue).toBe(67.5 + 30 + 30 + 15);
    }));

  it('given an output generated twice and a rework delivered again, then each is counted once', async () => {
    await after('repeats', async () => {
      const [total] = await query();
      expect(total.outputs).toBe(4);
    });
    // The store keeps an event once: the same event appended again is a duplicate, never delivered again.
    await migrateEventStore(pool);
    const store = createPostgresEventStore({ pool });
    const append = async (events: GivenEvent[]) =>
      store.append('acme', events.map(({ id = '', source = '', streamId = '', type, time, data }) => ({ streamId, expectedVersion: 'any' as const, events: [{ id, source, type, time: new Date(time ?? 0), data }] })));
    try {
      await append(INGESTIONS.repeats);
      expect(await append(INGESTIONS.repeats.slice(0, 1))).toMatchObject({ stored: [], duplicates: [{ source: 'urn:test', id: repeat.id }] });
    } finally {
      await store.close();
    }
  });

  it('given another tenant, then its events never show in this tenant', () =>
    after('globex', async () => {
      expect((await query())[0].outputs).toBe(4);
      expect((await query({ tenant: 'globex' }))[0].outputs).toBe(1);
    }));

  /** The cells of the protected tables (privacy v2) as the rollups give them must be those the outputs give. */
  const expectSameCells = async (overrides: Partial<ReworkCellsQuery>) => {
    const cellsQuery: ReworkCellsQuery = {
      tenant: 'acme',
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-04-01T00:00:00Z'),
      period: 'month',
      defaultHourlyCost: 60,
      defaultMinutesSavedByTaskType: MINUTES_SAVED,
      privacyMinGroupSize: 5,
      ...overrides,
    };
    const key = (cell: { period: string; coordinates: object }) => `${cell.period} ${JSON.stringify(Object.entries(cell.coordinates).sort())}`;
    const fromRollups = (await queryReworkCells(db, cellsQuery)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const fromOutputs = (await queryReworkCells(db, { ...cellsQuery, readFrom: 'outputs' })).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(fromRollups.map(key)).toEqual(fromOutputs.map(key));
    fromRollups.forEach((cell, i) => {
      for (const [field, value] of Object.entries(fromOutputs[i].row)) {
        const actual = cell.row[field as keyof typeof cell.row];
        // Exact below k; a cell with a day of k or more employees says "at least" (a lower bound of k or more).
        if (field === 'employees' && (value as number) >= cellsQuery.privacyMinGroupSize) {
          expect(actual).toBeGreaterThanOrEqual(cellsQuery.privacyMinGroupSize);
          expect(actual).toBeLessThanOrEqual(value as number);
        } else if (field === 'employees') expect(actual).toBe(value);
        else if (typeof value === 'number' && !Number.isInteger(value)) expect(actual).toBeCloseTo(value, 9);
        else expect(actual).toEqual(value);
      }
    });
    return fromRollups;
  };

  describe('the daily rollups', () => {
    /** The rollups' answer equals the outputs' (floats to rounding; employees exact below the sample size). */
    const expectSameAnswers = async (overrides: Partial<ReworkMetricsQuery>) => {
      const fromRollups = await query(overrides);
      const fromOutputs = await query({ ...overrides, readFrom: 'outputs' });
      expect(fromRollups.map((row) => [row.group, row.bucket])).toEqual(fromOutputs.map((row) => [row.group, row.bucket]));
      fromRollups.forEach((row, i) => {
        const reference = fromOutputs[i];
        for (const [field, value] of Object.entries(reference)) {
          const actual = row[field as keyof typeof row];
          if (field === 'employees') expect(actual).toBe(Math.min(value as number, EMPLOYEE_SAMPLE_SIZE));
          else if (typeof value === 'number' && !Number.isInteger(value)) expect(actual).toBeCloseTo(value, 9);
          else expect(actual).toEqual(value);
        }
      });
      return fromRollups;
    };

    it('given any grouping, bucket and rollup-served filter, with part-days at both ends, then they answer as the outputs do', () =>
      after('globex', async () => {
        const partDays = { from: new Date('2026-03-02T11:00:00Z'), to: new Date('2026-03-11T10:00:00Z') };
        for (const period of [{}, partDays, { from: new Date('2026-03-09T09:30:00Z'), to: new Date('2026-03-09T23:00:00Z') }]) {
          for (const groupBy of [undefined, 'team', 'tool', 'taskType', 'model'] as const) {
            for (const bucket of [undefined, 'day', 'week', 'month'] as const) {
              await expectSameAnswers({ ...period, groupBy, bucket });
            }
          }
        }
        expect((await expectSameAnswers({ ...partDays, groupBy: 'team', filters: { team: 'platform', taskType: 'drafting' } })).map((row) => row.outputs)).toEqual([1]);
        expect((await expectSameAnswers({ filters: { model: 'gpt-x' } })).map((row) => row.outputs)).toEqual([1]);
        // Shapes the rollups cannot answer go to the outputs: employees, two dimensions, a k above the sample.
        await expectSameAnswers({ groupBy: 'model', filters: { team: 'platform' } });
        await expectSameAnswers({ groupBy: 'employee', bucket: 'week' });
        await expectSameAnswers({ groupBy: 'team', privacyMinGroupSize: EMPLOYEE_SAMPLE_SIZE + 1 });
      }));

    it('given more employees than the sample, then counts are "at least", and exact when the small-group rule needs the next-smallest row', async () => {
      await after('initechMany', async () => {
        const byTeam = await query({ tenant: 'initech', groupBy: 'team' });
        expect(byTeam.map((row) => [row.group, row.outputs, row.employees])).toEqual([
          ['big', EMPLOYEE_SAMPLE_SIZE + 8, EMPLOYEE_SAMPLE_SIZE],
          ['medium', 6, 6],
        ]);
      });
      // A lone employee in a third team: the remainder is too small, so the next-smallest row is chosen on exact counts.
      await after('initechLone', async () => {
        const withSmall = await query({ tenant: 'initech', groupBy: 'team' });
        expect(withSmall.map((row) => [row.group, row.employees])).toEqual([
          ['big', EMPLOYEE_SAMPLE_SIZE + 8],
          ['medium', 6],
          ['tiny', 1],
        ]);
        expect(withSmall[2].employeeIds).toEqual(['loner']);
      });
    });

    it('given a late assignment and late rework, then the rollups of the days they change are recomputed', () =>
      after('hooliLate', async () => {
        const byTeam = await expectSameAnswers({ tenant: 'hooli', groupBy: 'team', bucket: 'day' });
        expect(byTeam.map((row) => [row.bucket, row.group, row.reworkedOutputs, row.lostCost])).toEqual([
          ['2026-03-03T00:00:00.000Z', 'research', 1, 30],
          ['2026-03-04T00:00:00.000Z', '(unassigned)', 0, 0],
        ]);
        // The cross-cells too: dana's output left (unassigned) × copilot and (unassigned) × its model for research's.
        const cells = await expectSameCells({ tenant: 'hooli', period: 'day' });
        expect(cells.filter((cell) => cell.coordinates.team !== undefined && cell.coordinates.tool !== undefined).map((cell) => [cell.period, cell.coordinates.team, cell.row.employeeIds])).toEqual([
          ['2026-03-03T00:00:00.000Z', 'research', ['dana']],
          ['2026-03-04T00:00:00.000Z', '(unassigned)', ['erin']],
        ]);
      }));

    it('given a late assignment that moves one of a cross-cell\'s two employees, then that cell\'s sample is recomputed without them', () =>
      after('umbrellaLate', async () => {
        const cells = await expectSameCells({ tenant: 'umbrella', period: 'day' });
        const crossed = (other: 'tool' | 'model') =>
          cells.filter((cell) => cell.coordinates.team !== undefined && cell.coordinates[other] !== undefined).map((cell) => [cell.coordinates.team, cell.row.employeeIds]);
        expect(crossed('tool')).toEqual([['(unassigned)', ['hal']], ['labs', ['gina']]]);
        expect(crossed('model')).toEqual([['(unassigned)', ['hal']], ['labs', ['gina']]]);
      }));

    it('given any period, then the cells of the protected tables (team × tool / task type / model, margins) are read from the rollups as from the outputs', async () => {
      const initech = await after('umbrellaLate', async () => {
        for (const tenant of ['acme', 'initech', 'hooli', 'globex']) {
          for (const period of ['day', 'week', 'month'] as const) {
            await expectSameCells({ tenant, period, from: new Date('2026-02-23T00:00:00Z'), to: new Date('2026-04-06T00:00:00Z') });
          }
        }
        const acme = await expectSameCells({});
        // Every kind of cell is there: the total, one-way tables, and the three cross-tables.
        expect(new Set(acme.map((cell) => Object.keys(cell.coordinates).sort().join('×')))).toEqual(
          new Set(['', 'team', 'tool', 'taskType', 'model', 'team×tool', 'taskType×team', 'model×team']),
        );
        // Many employees: "at least the sample size" from the rollups, exact below it.
        const initechCells = await expectSameCells({ tenant: 'initech' });
        expect(initechCells.filter((cell) => cell.coordinates.team === 'big' && cell.coordinates.tool === 'copilot').map((cell) => cell.row.employees)).toEqual([EMPLOYEE_SAMPLE_SIZE]);
        return initechCells;
      });
      // Small cells spread over days: their days' samples united (5 people, 2 of them on both days), exact below k.
      await after('initechSpread', async () => {
        const spread = (await expectSameCells({ tenant: 'initech', privacyMinGroupSize: 6 })).find((cell) => cell.coordinates.team === 'spread' && cell.coordinates.tool === 'rare');
        expect([spread?.row.employees, spread?.row.employeeIds]).toEqual([5, ['p1', 'p2', 'p3', 'p4', 'p5']]);
        expect((await expectSameCells({ tenant: 'initech', privacyMinGroupSize: 5 })).find((cell) => cell.coordinates.team === 'spread' && cell.coordinates.tool === 'rare')?.row.employees).toBe(5);
        expect(initech.find((cell) => cell.coordinates.team === 'tiny' && cell.coordinates.tool === 'copilot')?.row.employeeIds).toEqual(['loner']);
        // A k above the sample reads the outputs (exact counts).
        const exact = await queryReworkCells(db, {
          tenant: 'initech', from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z'), period: 'month',
          defaultHourlyCost: 60, defaultMinutesSavedByTaskType: MINUTES_SAVED, privacyMinGroupSize: EMPLOYEE_SAMPLE_SIZE + 1,
        });
        expect(exact.find((cell) => cell.coordinates.team === 'big' && cell.coordinates.tool === undefined && cell.coordinates.taskType === undefined && cell.coordinates.model === undefined)?.row.employees).toBe(EMPLOYEE_SAMPLE_SIZE + 8);
      });
    });
  });

  it('given a rebuild (rollups derived at its end), then the read model is rebuilt beside the live one and gives the same answers', async () => {
    const shapes: Partial<ReworkMetricsQuery>[] = [
      { groupBy: 'team', bucket: 'day' },
      { tenant: 'initech', groupBy: 'team' },
      { tenant: 'hooli', groupBy: 'team', bucket: 'day' },
      { groupBy: 'model', bucket: 'week', filters: { taskType: 'drafting' } },
      { groupBy: 'tool', from: new Date('2026-03-02T11:00:00Z'), to: new Date('2026-03-11T10:00:00Z') },
    ];
    const answers = async () => {
      const all = [];
      for (const shape of shapes) all.push(await query(shape)); // one connection: one query at a time
      return all;
    };
    const activity = async () => dailyActivityFromRollups(db, 'acme', new Date('2026-01-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z'));
    // Every rollup row, as kept batch by batch (the sample by its size: any employees of the cell will do, see rework-rollups.ts).
    const rollups = async () =>
      db.query(
        `SELECT r.*, cardinality(s.employee_sample) AS sampled FROM rm_rework.daily_rollup r JOIN rm_rework.daily_samples s USING (tenant, dimension, day, value, task_type)
          ORDER BY tenant, dimension, day, value, task_type`,
      );
    const extent = async () => db.query('SELECT * FROM rm_rework.fact_extent ORDER BY tenant');
    // The outputs as the live path keeps them (late assignments re-attributed, rework re-costed, placeholders) and as the
    // rebuild derives them. Compared exactly: this data's minutes and costs are exact in binary, so that sums in another
    // order (batch by batch, or all at once) are equal to the last bit.
    const outputs = async () => db.query('SELECT * FROM rm_rework.outputs ORDER BY tenant, output_id');
    const samples = async () =>
      (
        await db.query<{ dimension: string; value: string; task_type: string; employee_sample: string[] }>(
          `SELECT dimension, value, task_type, employee_sample FROM rm_rework.daily_samples WHERE tenant = 'awkward' ORDER BY 1, 2, 3`,
        )
      ).map((row) => ({ ...row, employee_sample: [...row.employee_sample].sort() }));
    // Live, with the awkward ids (INGESTIONS.awkward) and the extreme values (INGESTIONS.extreme).
    const { before, activityBefore, rollupsBefore, extentBefore, samplesBefore } = await after('extreme', async () => {
      expect(await query({ tenant: 'extreme', from: new Date('1970-01-01T00:00:00Z'), to: new Date('9999-12-31T23:59:59.999Z'), privacyMinGroupSize: 1 })).toEqual([
        expect.objectContaining({ outputs: 2, reworkMinutes: 3 * 1440, lostCost: 3 * 24 * 1e9, grossSavedHours: (2 * 525_600) / 60 }),
      ]);
      const samplesBefore = await samples();
      expect(samplesBefore.find((row) => row.dimension === 'all' && row.task_type === '*')?.employee_sample).toEqual([...awkward].sort());
      return { before: await answers(), activityBefore: await activity(), rollupsBefore: await rollups(), extentBefore: await extent(), samplesBefore };
    });
    // A repeat of an output, later than every fact, in a batch of its own: it changes nothing, the fact extent included.
    const outputsBefore = await after('lateRepeat', async () => {
      expect(await extent()).toEqual(extentBefore);
      return outputs();
    });
    expect(outputsBefore.filter((row) => !(row as { generated: boolean }).generated).length).toBeGreaterThan(0);
    // The same events as a rebuild fills its schema (staged, then derived at its end).
    await after(
      'lateRepeat',
      async () => {
        expect(await answers()).toEqual(before);
        expect(await activity()).toEqual(activityBefore);
        expect(rollupsBefore.length).toBeGreaterThan(100);
        // The cross-cells of the protected tables are among the rows compared.
        expect(new Set(rollupsBefore.map((row) => (row as { dimension: string }).dimension))).toEqual(new Set(['all', 'team', 'tool', 'taskType', 'model', 'team×tool', 'team×model']));
        expect(await rollups()).toEqual(rollupsBefore);
        expect(await extent()).toEqual(extentBefore);
        expect(await outputs()).toEqual(outputsBefore);
        expect(await samples()).toEqual(samplesBefore);
      },
      'rebuild',
    );
  });
});
