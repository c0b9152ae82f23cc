// Review of the subscription to some event types (selectPage's readTo, the read-ahead): tries to make it skip an event
// of its types, deliver one twice or out of order, or settle caughtUp() too early.
import { createPool } from '@rework-ledger/platform';
import type { Pool, PoolClient } from 'pg';
import { comparePositions, type NewEvent, type Position, type StoredEvent } from '../event-store.port';
import { createPostgresEventStore } from './postgres-event-store';
import { eventually, newEvent, openTestStore, sleep, type TestStore, waitUntilVisible } from './postgres-event-store.test-kit';

const KEPT = 'review.kept';
const OTHER = 'review.other';

const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);
const kept = (overrides: Partial<NewEvent> = {}) => newEvent({ type: KEPT, ...overrides });
const other = (overrides: Partial<NewEvent> = {}) => newEvent({ type: OTHER, ...overrides });
const positionOf = (row: { transaction_id: string; global_position: string }): Position => ({
  transactionId: BigInt(row.transaction_id),
  globalPosition: BigInt(row.global_position),
});

/** The events of `type` stored in `tenant`, in global order, read straight from the table (no visibility rule: all committed). */
async function storedOfType(pool: Pool, tenant: string, type: string): Promise<{ id: string; position: Position }[]> {
  const { rows } = await pool.query<{ event_id: string; transaction_id: string; global_position: string }>(
    `SELECT event_id, transaction_id::text, global_position::text FROM events WHERE tenant = $1 AND type = $2 ORDER BY transaction_id, global_position`,
    [tenant, type],
  );
  return rows.map((row) => ({ id: row.event_id, position: positionOf(row) }));
}

/** Inserts one event as an append would, in the caller's open transaction (no stream row: the reads do not use it). */
async function insertInOpenTransaction(client: PoolClient, tenant: string, type: string): Promise<{ id: string; position: Position }> {
  const event = newEvent({ type });
  const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
    `INSERT INTO events (tenant, stream_id, stream_version, event_id, source, type, time, data)
     VALUES ($1, $2, 1, $3, $4, $5, $6, $7) RETURNING transaction_id::text, global_position::text`,
    [tenant, `held-${event.id}`, event.id, event.source, event.type, event.time, JSON.stringify(event.data)],
  );
  return { id: event.id, position: positionOf(rows[0]) };
}

type Call = { events: StoredEvent[]; readTo: Position; ok: boolean };

describe('PostgreSQL subscription to some types (review)', () => {
  let t: TestStore;

  beforeAll(async () => {
    t = await openTestStore({ poolSize: 14, commitDelayMs: 15, pollIntervalMs: 50, retryBackoff: { initialMs: 5, maxMs: 20 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('given a transaction in flight that holds an event of the types, while later events of other types commit, then readTo never passes it, and it comes once it commits', async () => {
    const tenant = 'held-kept';
    const origin = await t.store.headPosition();
    const calls: Call[] = [];
    const subscription = t.store.subscribe({
      after: origin,
      types: [KEPT],
      handler: async (events, readTo) => void calls.push({ events: [...events], readTo, ok: true }),
    });
    const blocker = await t.pool.connect();
    try {
      await subscription.caughtUp();
      const before = await t.store.append(tenant, [{ streamId: 'others', expectedVersion: 'any', events: [other()] }]);
      await waitUntilVisible(t.store, before.stored[0].position);
      await subscription.caughtUp();
      // Not vacuous: it did move past the visible events of other types.
      expect(comparePositions(calls[calls.length - 1].readTo, before.stored[0].position)).toBe(0);
      // Two shapes: the held event's transaction id is the smaller (it took it first), and its global position either
      // smaller (inserted first) or larger (inserted after the others' inserts took their positions).
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      const late = t.store.append(tenant, [{ streamId: 'others', expectedVersion: 'any', events: [other(), other()] }]);
      await late;
      const held = await insertInOpenTransaction(blocker, tenant, KEPT);
      const afterIt = await t.store.append(tenant, [{ streamId: 'others', expectedVersion: 'any', events: [other(), kept(), other()] }]);
      await sleep(400); // notifications and several polls go by
      for (const call of calls) expect(comparePositions(call.readTo, held.position)).toBeLessThan(0);
      expect(calls.flatMap((call) => call.events).filter((event) => event.tenant === tenant)).toEqual([]);
      await blocker.query('COMMIT');
      await waitUntilVisible(t.store, afterIt.stored[2].position);
      await subscription.caughtUp();
      const seen = calls.flatMap((call) => call.events).filter((event) => event.tenant === tenant);
      expect(ids(seen)).toEqual([held.id, afterIt.stored[1].id]);
    } finally {
      blocker.release();
      await subscription.stop();
    }
  }, 30_000);

  it('given writers committing out of order, mixed types, and a handler that fails at random, then every event of the types comes once, in order, each call exactly the events of the types between the last readTo and its own, a failed call offered again unchanged', async () => {
    const tenant = 'mixed';
    const origin = await t.store.headPosition();
    const calls: Call[] = [];
    let random = 7;
    const flip = () => {
      random = (random * 1103515245 + 12345) % 2147483648;
      return random / 2147483648;
    };
    const subscription = t.store.subscribe({
      after: origin,
      tenant,
      types: [KEPT],
      batchSize: 3,
      handler: async (events, readTo) => {
        const fail = flip() < 0.3;
        calls.push({ events: [...events], readTo, ok: !fail });
        if (flip() < 0.3) await sleep(15); // the read-ahead works meanwhile
        if (fail) throw new Error('handler down');
      },
      onError: () => undefined,
    });
    const writer = async (w: number) => {
      for (let i = 0; i < 25; i++) {
        const events = Array.from({ length: 1 + ((w + i) % 4) }, (_, k) => ((w + i + k) % 5 === 0 ? kept() : other()));
        await t.store.append(tenant, [{ streamId: `w-${w}-${i % 3}`, expectedVersion: 'any', events }]);
      }
    };
    // Other tenants' events of the types, which this subscription must not get.
    const noise = async () => {
      for (let i = 0; i < 20; i++) await t.store.append('noise', [{ streamId: 'n', expectedVersion: 'any', events: [kept()] }]);
    };
    await Promise.all([...Array.from({ length: 6 }, (_, w) => writer(w)), noise()]);
    const head = await t.pool.query<{ transaction_id: string; global_position: string }>(
      'SELECT transaction_id::text, global_position::text FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    await waitUntilVisible(t.store, positionOf(head.rows[0]));
    await subscription.caughtUp();
    await subscription.stop();

    const expected = await storedOfType(t.pool, tenant, KEPT);
    expect(expected.length).toBeGreaterThan(20);
    // A failed call is offered again unchanged.
    for (let i = 0; i < calls.length; i++) {
      if (calls[i].ok) continue;
      expect(ids(calls[i + 1].events)).toEqual(ids(calls[i].events));
      expect(calls[i + 1].readTo).toEqual(calls[i].readTo);
    }
    const succeeded = calls.filter((call) => call.ok);
    expect(succeeded.flatMap((call) => ids(call.events))).toEqual(expected.map((event) => event.id));
    // Each successful call carries exactly the events of the types in (previous readTo, readTo]: none passed over.
    let previous = origin;
    for (const call of succeeded) {
      expect(comparePositions(call.readTo, previous)).toBeGreaterThan(0);
      const between = expected.filter((event) => comparePositions(event.position, previous) > 0 && comparePositions(event.position, call.readTo) <= 0);
      expect(ids(call.events)).toEqual(between.map((event) => event.id));
      previous = call.readTo;
    }
    expect(comparePositions(previous, positionOf(head.rows[0]))).toBeGreaterThanOrEqual(0);
    expect(calls.some((call) => !call.ok)).toBe(true);
    expect(succeeded.some((call) => call.events.length === 0)).toBe(true); // it also moved past other types alone
  }, 60_000);

  it('given a caughtUp() call made while a full page is applied and the read-ahead (not full) was already under way, then it settles only after an event visible at the call is delivered', async () => {
    const tenant = 'ahead';
    const origin = await t.store.headPosition();
    const first = await t.store.append(tenant, [{ streamId: 's', expectedVersion: 'any', events: Array.from({ length: 7 }, () => kept()) }]);
    await waitUntilVisible(t.store, first.stored[6].position);
    const seen: StoredEvent[] = [];
    let releaseGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    let inFirst: () => void = () => undefined;
    const firstStarted = new Promise<void>((resolve) => (inFirst = resolve));
    let calls = 0;
    const subscription = t.store.subscribe({
      after: origin,
      tenant,
      types: [KEPT],
      batchSize: 5,
      handler: async (events) => {
        if (calls++ === 0) {
          inFirst();
          await gate;
        }
        seen.push(...events);
      },
    });
    try {
      await firstStarted;
      await sleep(100); // the read-ahead of the other 2 has come back by now
      const late = await t.store.append(tenant, [{ streamId: 's', expectedVersion: 'any', events: [kept()] }]);
      await waitUntilVisible(t.store, late.stored[0].position);
      const caughtUp = subscription.caughtUp();
      releaseGate();
      await caughtUp;
      expect(ids(seen)).toEqual([...ids(first.stored), late.stored[0].id]);
    } finally {
      releaseGate();
      await subscription.stop();
    }
  }, 30_000);

  it('given the connection lost while the read-ahead is in flight, then every event of the types comes once, in order', async () => {
    const tenant = 'lost';
    // A pool of its own whose subscription reads can be held on the server (a pg_sleep queued before the second read).
    const pool = createPool((t.pool as unknown as { options: { connectionString: string } }).options.connectionString, { max: 4, applicationName: 'review-lost' });
    let pageReads = 0;
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && args[0].includes('AS horizon') && ++pageReads === 2) {
          query('SELECT pg_sleep(5) AS held_read_ahead').catch(() => undefined);
        }
        return query(...args);
      };
    });
    const store = createPostgresEventStore({ pool, pollIntervalMs: 50, retryBackoff: { initialMs: 5, maxMs: 20 } });
    const origin = await t.store.headPosition();
    const stored = await t.store.append(tenant, [{ streamId: 's', expectedVersion: 'any', events: Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? other() : kept())) }]);
    await waitUntilVisible(t.store, stored.stored[11].position);
    const seen: StoredEvent[] = [];
    let releaseGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    let inFirst: () => void = () => undefined;
    const firstStarted = new Promise<void>((resolve) => (inFirst = resolve));
    const errors: unknown[] = [];
    let calls = 0;
    const subscription = store.subscribe({
      after: origin,
      tenant,
      types: [KEPT],
      batchSize: 4,
      handler: async (events) => {
        if (calls++ === 0) {
          inFirst();
          await gate;
        }
        seen.push(...events);
      },
      onError: (error) => errors.push(error),
    });
    try {
      await firstStarted;
      await eventually(
        async () => (await t.pool.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%held_read_ahead%' AND pid <> pg_backend_pid()`)).rowCount === 1,
        5_000,
        'the held read-ahead',
      );
      await t.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%held_read_ahead%' AND pid <> pg_backend_pid()`);
      releaseGate();
      await subscription.caughtUp();
      expect(ids(seen)).toEqual(ids(stored.stored.filter((event) => event.type === KEPT)));
      expect(errors.length).toBeGreaterThan(0); // the read-ahead did fail
    } finally {
      releaseGate();
      await subscription.stop();
      await store.close();
      await pool.end();
    }
  }, 30_000);

  it('given a subscription stopped while a caughtUp() call waits on a slow handler, then the call rejects', async () => {
    const tenant = 'stopping';
    const origin = await t.store.headPosition();
    const stored = await t.store.append(tenant, [{ streamId: 's', expectedVersion: 'any', events: Array.from({ length: 6 }, () => kept()) }]);
    await waitUntilVisible(t.store, stored.stored[5].position);
    const subscription = t.store.subscribe({ after: origin, tenant, types: [KEPT], batchSize: 2, handler: () => sleep(100) });
    const caughtUp = subscription.caughtUp();
    caughtUp.catch(() => undefined);
    await sleep(50);
    await subscription.stop();
    await expect(caughtUp).rejects.toMatchObject({ code: 'EVENT_STORE.SUBSCRIPTION_STOPPED' });
  }, 30_000);
});
