import { createPostgresEventStore, type EventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion/core';
import { createPool } from '@rework-ledger/platform';
import { type GivenEvent, projectionSpec } from '@rework-ledger/projections/testing';
import { fromPgPool, queryReworkMetrics, type ReworkMetricsQuery, reworkMetricsProjection, type SqlQueryable } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { useCliTestDatabase } from '../cli.test-support';
import { importDirectoryCommand } from './import-csv.command';

jest.setTimeout(120_000);

// From an HR directory export to the rework figures (PRODUCT.md, "Identity" and "CSV from HR systems"): work recorded
// under an employee's email, as a connector records it, is counted under the employee id, team and hourly cost the
// directory gives that email, once `import directory` has stored its events and the rework projection has applied them.

const TENANT = 'acme';
let counter = 0;
/** A contract event as an OTLP connector sends it: the person is their email, as the tool knows it; no team. */
const recorded = (type: string, time: string, data: Record<string, unknown>) => ({ specversion: '1.0', id: `otlp-${++counter}`, source: 'otlp:acme-assistant', type, time, data });
const WORK = [
  recorded('ai.output.generated', '2026-03-02T10:00:00Z', { outputId: 'o1', employeeId: 'Alice@Acme.test', tool: 'acme-assistant', taskType: 'drafting' }),
  recorded('ai.output.generated', '2026-03-03T10:00:00Z', { outputId: 'o2', employeeId: 'Alice@Acme.test', tool: 'acme-assistant', taskType: 'drafting' }),
  recorded('ai.output.corrected', '2026-03-03T11:00:00Z', { outputId: 'o2', employeeId: 'Alice@Acme.test', minutesSpent: 30 }),
  // Someone the directory does not list: still counted under the email recorded.
  recorded('ai.output.generated', '2026-03-04T10:00:00Z', { outputId: 'o3', employeeId: 'carol@acme.test', tool: 'acme-assistant', taskType: 'drafting' }),
];
/** The directory, its columns named like the fields: no dates, so each assignment covers all past work. */
const DIRECTORY = ['employeeId,teamId,hourlyCost,identity.email', 'E-ALICE,Platform,90,alice@ACME.test', 'E-BOB,Research,120,bob@acme.test', ''].join('\n');

/**
 * The tenant's stored events in store order, as the projection spec harness takes them (same stream, id, source, time
 * and data). Read from the table rather than with `readAll`: the store's readers see only what is older than the oldest
 * transaction in flight on the whole server, which other test files' open transactions hold back, while both writers
 * here have committed before this reads.
 */
async function storedEvents(pool: Pool): Promise<GivenEvent[]> {
  const { rows } = await pool.query<{ tenant: string; stream_id: string; event_id: string; source: string; type: string; time: Date; subject: string | null; data: Record<string, unknown> }>(
    'SELECT tenant, stream_id, event_id, source, type, time, subject, data FROM events WHERE tenant = $1 ORDER BY transaction_id, global_position',
    [TENANT],
  );
  return rows.map((row) => ({
    tenant: row.tenant,
    streamId: row.stream_id,
    id: row.event_id,
    source: row.source,
    type: row.type,
    time: row.time,
    data: row.data,
    ...(row.subject === null ? {} : { subject: row.subject }),
  }));
}

describe('import directory, then the rework read model', () => {
  const context = useCliTestDatabase();

  // Nested, so that its pool is ended (its afterAll) before the database is dropped (the outer one's).
  describe('work recorded under an email is counted under the directory\'s employee, team and cost', () => {
    let pool: Pool;
    let store: EventStore;
    let folder: string;
    let beforeImport: GivenEvent[];
    let imported: GivenEvent[];

    beforeAll(async () => {
      pool = createPool(context.database.url, { max: 4 });
      await migrateAll(pool);
      store = createPostgresEventStore({ pool });
      folder = mkdtempSync(join(tmpdir(), 'rl-csv-identity-'));

      // The connector's path into the store (the same rules as POST /v1/events).
      expect(await ingestEvents(store, TENANT, WORK)).toEqual({ accepted: WORK.length, duplicates: 0, rejected: [] });
      beforeImport = await storedEvents(pool);
      expect(beforeImport.map((event) => event.id)).toEqual(WORK.map((event) => event.id));

      const file = join(folder, 'workers.csv');
      writeFileSync(file, DIRECTORY);
      await importDirectoryCommand.run({ tenant: TENANT, 'no-progress': true }, [file]);
      expect(context.printed.trim().split('\n').pop()).toBe('imported 4, duplicates 0, rejected 0');
      // Everything stored, in store order: the work first, then what the directory made of the file.
      const stored = await storedEvents(pool);
      expect(stored.slice(0, beforeImport.length)).toEqual(beforeImport);
      imported = stored.slice(beforeImport.length);
      expect(imported.map((event) => [event.type, event.source]).sort()).toEqual([
        ['employee.assigned', 'csv-import:directory'],
        ['employee.assigned', 'csv-import:directory'],
        ['employee.identity_linked', 'csv-import:directory'],
        ['employee.identity_linked', 'csv-import:directory'],
      ]);
    });

    afterAll(async () => {
      await store?.close();
      await pool?.end();
      rmSync(folder, { recursive: true, force: true });
    });

    const rework = (db: SqlQueryable, overrides: Partial<ReworkMetricsQuery> = {}) =>
      queryReworkMetrics(db, {
        tenant: TENANT,
        from: new Date('2026-03-01T00:00:00Z'),
        to: new Date('2026-04-01T00:00:00Z'),
        defaultHourlyCost: 60,
        defaultMinutesSavedByTaskType: { drafting: 0, analysis: 0, 'decision-support': 0, automation: 0, coding: 0, other: 0 },
        privacyMinGroupSize: 5,
        ...overrides,
      });
    /** group → [outputs, reworked outputs, lost cost], by employee and by team. */
    const figures = async (db: SqlQueryable) => {
      const by = async (groupBy: 'employee' | 'team') =>
        Object.fromEntries((await rework(db, { groupBy })).map((row) => [row.group, [row.outputs, row.reworkedOutputs, row.lostCost]]));
      return { employee: await by('employee'), team: await by('team') };
    };

    it('given only the work, then it is under the normalised email, in no team, its rework at the tenant\'s default hourly cost', () =>
      projectionSpec(reworkMetricsProjection, { pool, schema: 'live' })
        .given(beforeImport)
        .then(async ({ client }) => {
          expect(await figures(fromPgPool(client))).toEqual({
            employee: { 'alice@acme.test': [2, 1, 30], 'carol@acme.test': [1, 0, 0] },
            team: { '(unassigned)': [3, 1, 30] },
          });
        }));

    it('given the imported directory after it, then Alice\'s outputs are E-ALICE\'s, in Platform, her 30 minutes of rework at 90/h', () =>
      projectionSpec(reworkMetricsProjection, { pool, schema: 'live' })
        .given(beforeImport)
        .when(imported)
        .then(async ({ client }) => {
          const db = fromPgPool(client);
          expect(await figures(db)).toEqual({
            employee: { 'E-ALICE': [2, 1, 45], 'carol@acme.test': [1, 0, 0] },
            team: { Platform: [2, 1, 45], '(unassigned)': [1, 0, 0] },
          });
          expect((await rework(db, { filters: { team: 'Platform' } }))[0]).toMatchObject({ outputs: 2, reworkedOutputs: 1, reworkMinutes: 30, lostHours: 0.5, lostCost: 45, employeeIds: ['E-ALICE'] });
        }));
  });
});
