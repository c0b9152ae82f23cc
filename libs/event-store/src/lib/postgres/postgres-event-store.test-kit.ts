// Shared set-up of the PostgreSQL event-store integration tests (not a spec itself).
import { createPool } from '@rework-ledger/platform';
import { createTestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { comparePositions, type EventStore, type NewEvent, type Position } from '../event-store.port';
import { migrateEventStore } from './event-store.schema';
import { createPostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';

export type TestStore = Readonly<{ pool: Pool; store: EventStore; close(): Promise<void> }>;

/** A migrated store on a fresh database of its own, polling fast so that tests stay quick. */
export async function openTestStore(
  options: Readonly<{ poolSize?: number; commitDelayMs?: number } & Partial<Omit<PostgresEventStoreOptions, 'pool'>>> = {},
): Promise<TestStore> {
  const { poolSize, commitDelayMs, ...storeOptions } = options;
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: poolSize ?? 10, applicationName: 'event-store-tests' });
  if (commitDelayMs) delayCommits(pool, commitDelayMs);
  await migrateEventStore(pool);
  const store = createPostgresEventStore({ pollIntervalMs: 100, retryBackoff: { initialMs: 20, maxMs: 200 }, ...storeOptions, pool });
  return {
    pool,
    store,
    async close() {
      await store.close();
      await pool.end();
      await database.drop();
    },
  };
}

/**
 * Makes every transaction of the pool sleep a random time (up to `maxDelayMs`) just before COMMIT, so that
 * transactions that took their global positions later often commit earlier.
 */
export function delayCommits(pool: Pool, maxDelayMs: number): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
      if (args[0] === 'COMMIT') await query('SELECT pg_sleep($1)', [(Math.random() * maxDelayMs) / 1000]);
      return query(...args);
    };
  });
}

let counter = 0;

/** A small event with a unique id unless one is given. */
export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  counter += 1;
  return {
    id: `evt-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    source: 'urn:test',
    type: 'ai.output.generated',
    time: new Date('2025-03-01T10:00:00.000Z'),
    data: { n: counter },
    ...overrides,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until readers can see `position`. Visibility stops at the oldest transaction in flight on the whole server,
 * so another test file's open transaction can delay it: tests wait instead of expecting it at once.
 */
export async function waitUntilVisible(store: EventStore, position: Position, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (comparePositions(await store.headPosition(), position) < 0) {
    if (Date.now() > deadline) throw new Error(`position ${String(position.transactionId)}/${String(position.globalPosition)} not visible after ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Polls until `predicate` holds, failing after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
