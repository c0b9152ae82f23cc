import { createPool } from '@rework-ledger/platform';
import { expectRebuildEqualsLive, type GivenEvent } from '@rework-ledger/projections/testing';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool, PoolClient } from 'pg';
import { READ_MODEL_PROJECTIONS } from './read-model-projections';
import { repackEmployeeMonths } from './rework-metrics/rework-rollups';

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

/**
 * Facts in the orders that make the live path work hardest: rework before its output, an assignment later than the
 * outputs it re-attributes, a repeated output, an event that breaks the contract (parked), two tenants, training.
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
];

/** As a reader does first: the employee-months live marked stale packed again (a rebuild packs them all at its end). */
async function settle(client: PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ marks: string | null }>('SELECT to_regclass($1)::text AS marks', [`"${schema}".stale_employee_months`]);
  if (rows[0].marks === null) return; // not the rework read model
  const stale = await client.query<{ tenant: string }>(`SELECT DISTINCT tenant FROM "${schema}".stale_employee_months`);
  for (const { tenant } of stale.rows) await client.query(repackEmployeeMonths(schema), [tenant]);
}

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
    const model = await expectRebuildEqualsLive(projection, EVENTS, { pool, batchSizes: [1, 4, 100], settle });
    expect(Object.values(model.tables).some((rows) => rows.length > 0)).toBe(true);
    // The assignment without a team breaks the contract: parked by the read model that reads assignments, live and rebuilt.
    expect(model.parked).toHaveLength(projection.handles?.includes('employee.assigned') ? 1 : 0);
  });
});
