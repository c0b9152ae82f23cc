import type { INestApplication } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { isDatabaseUnavailable, loadConfig } from '@rework-ledger/platform';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { PG_POOL } from '@rework-ledger/runtime';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { Client, type Pool } from 'pg';
import { createProjectorApp } from './create-projector-app';

describe('projector end to end (event store → read models, health)', () => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createProjectorApp(loadConfig({ DATABASE_URL: database.url }), database.url, ['error']);
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given events appended by another process, then the projector applies them and reports its runners as running', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    expect(store.kind).toBe('postgres');
    await store.append('acme', [
      {
        streamId: 'output-o-1',
        expectedVersion: 'any',
        events: [{ id: 'p-1', source: 'urn:e2e', type: 'ai.output.generated', time: new Date('2026-03-02T10:00:00Z'), data: { outputId: 'o-1', employeeId: 'e-1', tool: 'copilot', taskType: 'coding' } }],
      },
    ]);
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(20_000);

    const response = await fetch(`${await app.getUrl()}/health`);
    const body = (await response.json()) as { status: string; projections: { name: string; state: string; eventsBehind: number }[] };
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.projections.map((p) => p.name).sort()).toEqual(['rework-metrics', 'training', 'usage']);
    expect(body.projections.every((p) => p.state === 'running' && p.eventsBehind === 0)).toBe(true);
  });

  it('given the database ends every connection (a restart), then the projector stays up and applies what comes after', async () => {
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ended: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS ended FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      expect(rows[0].ended).toBeGreaterThan(1); // the runners' locked connections and the pools' idle ones
    } finally {
      await admin.end();
    }
    // As a client of the API would: what fails as unavailable meanwhile (a connection whose end has not arrived yet) is sent again.
    const retryWhileUnavailable = async <T>(attempt: () => Promise<T>): Promise<T> => {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt();
        } catch (error) {
          if (!isDatabaseUnavailable(error) || tries >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    // Each runner notices that its locked connection (and the lock with it) is gone, and takes the lock again on a new
    // one, without waiting for an event to fail on it.
    const pool = app.get<Pool>(PG_POOL);
    const heldLocks = async () =>
      (
        await retryWhileUnavailable(() =>
          pool.query<{ held: number }>(
            `SELECT count(*)::int AS held FROM pg_locks l JOIN pg_database d ON d.oid = l.database
              WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
          ),
        )
      ).rows[0].held;
    // One lock per runner, i.e. per read model.
    const runners = app.get<ProjectionRunner[]>(PROJECTION_RUNNERS).length;
    let held = await heldLocks();
    for (const deadline = Date.now() + 15_000; held < runners && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      held = await heldLocks();
    }
    expect(runners).toBe(3);
    expect(held).toBe(runners);
    const store = app.get<EventStore>(EVENT_STORE);
    await retryWhileUnavailable(() => store.append('acme', [
      {
        streamId: 'output-o-2',
        expectedVersion: 'any',
        events: [{ id: 'p-2', source: 'urn:e2e', type: 'ai.output.generated', time: new Date('2026-03-03T10:00:00Z'), data: { outputId: 'o-2', employeeId: 'e-1', tool: 'copilot', taskType: 'coding' } }],
      },
    ]));
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(20_000);
    const response = await fetch(`${await app.getUrl()}/health`);
    const body = (await response.json()) as { projections: { state: string; eventsBehind: number; parked: number; degraded: boolean }[] };
    expect(response.status).toBe(200);
    expect(body.projections.every((p) => p.state === 'running' && p.eventsBehind === 0)).toBe(true);
    // A restart is the database's fault, never the events': nothing was parked.
    expect(body.projections.every((p) => p.parked === 0 && !p.degraded)).toBe(true);
  }, 30_000);
});

describe('projector with EVENT_STORE=eventstoredb', () => {
  it('given an EventStoreDB that cannot be reached, when starting, then start-up fails and says why', async () => {
    const database = await createTestDatabase();
    try {
      const config = loadConfig({ DATABASE_URL: database.url, EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'kurrentdb://127.0.0.1:1?tls=false' });
      expect(config.eventStore).toEqual({ kind: 'eventstoredb', connectionString: 'kurrentdb://127.0.0.1:1?tls=false' });
      await expect(createProjectorApp(config, database.url, [])).rejects.toThrow(/EVENT_STORE=eventstoredb: cannot read from EventStoreDB/);
    } finally {
      await database.drop();
    }
  }, 30_000);
});
