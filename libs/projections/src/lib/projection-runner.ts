import { comparePositions, type EventStore, type Position, START, type StoredEvent, type Subscription } from '@rework-ledger/event-store';
import { runMigrations } from '@rework-ledger/platform';
import type { Pool, PoolClient } from 'pg';
import { PROJECTIONS_MIGRATIONS } from './checkpoints.migrations';
import type { ApplyContext, Projection } from './projection';

export type ProjectionStatus = Readonly<{
  name: string;
  version: number;
  /** running: this process holds the runner lock; standby: another process does; stopped: not started here. */
  state: 'running' | 'standby' | 'stopped';
  rebuilding: boolean;
  position: { transactionId: string; globalPosition: string };
  eventsApplied: number;
  eventsBehind: number;
  secondsBehind: number;
  updatedAt: string | null;
  rebuild: { requestedAt: string | null; startedAt: string | null; eventsApplied: number | null; lastRebuiltAt: string | null };
  lastError: string | null;
}>;

export type ProjectionRunnerOptions = Readonly<{
  pool: Pool;
  store: EventStore;
  projection: Projection;
  batchSize?: number;
  /** How often an idle runner looks for new events, and a standby runner for the lock. */
  idlePollMs?: number;
  onError?: (error: unknown) => void;
}>;

export interface ProjectionRunner {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  /** Wakes an idle runner at once (new events were appended in this process). */
  wake(): void;
  /** Asks the active runner (in any process) to rebuild the read model from zero beside the live one. */
  requestRebuild(): Promise<void>;
  status(): Promise<ProjectionStatus>;
  /** Resolves once the runner has applied every event visible now (for tests, the demo loader, benchmarks). */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
}

/** Migrates the checkpoint table. Call once at start, before creating runners. */
export async function migrateProjections(pool: Pool): Promise<void> {
  await runMigrations(pool, 'projections', PROJECTIONS_MIGRATIONS);
}

/** Stable 32-bit key for the runner's advisory lock. */
function lockKey(name: string): number {
  let hash = 0x2f1a;
  for (const char of `projection:${name}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

const REBUILD_SUFFIX = '__rebuild';
const RETIRED_SUFFIX = '__retired';
/** Keys of the events a read model has applied, kept beside its tables when the store can store an event twice. */
const APPLIED_EVENTS_TABLE = 'projection_applied_events';

/**
 * Keeps one projection up to date: one active runner per projection across processes (advisory lock), the
 * checkpoint written in the same transaction as the read-model changes, and rebuilds built beside the live schema
 * and swapped in atomically, so queries never see an empty read model.
 */
export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { pool, store, projection } = options;
  const batchSize = options.batchSize ?? 2000;
  const idlePollMs = options.idlePollMs ?? 250;
  const reportError = options.onError ?? (() => undefined);
  const key = lockKey(projection.name);
  // A store that may hold an event twice (EventStoreDB after a late retry): skip keys already applied.
  const skipRepeats = !store.deduplicatesOnAppend;

  let state: ProjectionStatus['state'] = 'stopped';
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let rebuilding = false;
  /** Set when the server ends the locked connection (a restart) while the runner waits: the lock went with it. */
  let lockedConnectionLost: Error | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  async function ensureCheckpointRow(client: PoolClient): Promise<void> {
    await client.query('INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [projection.name]);
  }

  async function schemaExists(client: PoolClient, schema: string): Promise<boolean> {
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return (rowCount ?? 0) > 0;
  }

  async function createSchema(client: PoolClient, schema: string): Promise<void> {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`CREATE SCHEMA "${schema}"`);
    analyzedAt.delete(schema);
    await projection.createTables(client, schema);
    if (skipRepeats) await createAppliedEventsTable(client, schema);
  }

  /** In the read model's own schema, so that a rebuild starts with it empty and the swap carries it along. */
  async function createAppliedEventsTable(client: PoolClient, schema: string): Promise<void> {
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".${APPLIED_EVENTS_TABLE} (tenant text NOT NULL, source text NOT NULL, event_id text NOT NULL,
         PRIMARY KEY (tenant, source, event_id))`,
    );
  }

  /** The events of a batch whose (tenant, source, id) this read model has not applied yet, now recorded as applied. */
  async function firstTimeOnly(client: PoolClient, schema: string, events: readonly StoredEvent[]): Promise<StoredEvent[]> {
    const identity = (tenant: string, source: string, id: string) => JSON.stringify([tenant, source, id]);
    const unique = new Map<string, StoredEvent>();
    for (const event of events) {
      const id = identity(event.tenant, event.source, event.id);
      if (!unique.has(id)) unique.set(id, event);
    }
    const candidates = [...unique.values()];
    const { rows } = await client.query<{ tenant: string; source: string; event_id: string }>(
      `INSERT INTO "${schema}".${APPLIED_EVENTS_TABLE} (tenant, source, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT DO NOTHING
       RETURNING tenant, source, event_id`,
      [candidates.map((e) => e.tenant), candidates.map((e) => e.source), candidates.map((e) => e.id)],
    );
    const inserted = new Set(rows.map((row) => identity(row.tenant, row.source, row.event_id)));
    return candidates.filter((event) => inserted.has(identity(event.tenant, event.source, event.id)));
  }

  async function readCheckpoint(client: PoolClient): Promise<Position> {
    const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
      'SELECT transaction_id, global_position FROM projection_checkpoints WHERE name = $1',
      [projection.name],
    );
    const row = rows[0];
    return row ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) } : START;
  }

  // Freshly filled tables have no planner statistics, and queries on them pick nested loops over thousands of rows:
  // analyze a schema's tables as it grows (after 2k events applied to it, 4k, 8k, … then every 256k), in the
  // batch's transaction so that the statistics are there when its rows become visible.
  const analyzedAt = new Map<string, { applied: number; next: number }>();
  async function analyzeAsItGrows(client: PoolClient, schema: string, applied: number): Promise<void> {
    // A schema being rebuilt is analyzed once, when it is complete (nobody queries it before).
    if (schema.endsWith(REBUILD_SUFFIX)) return;
    const growth = analyzedAt.get(schema) ?? { applied: 0, next: 2000 };
    growth.applied += applied;
    analyzedAt.set(schema, growth);
    if (growth.applied < growth.next) return;
    growth.next = growth.next < 256_000 ? growth.next * 2 : growth.next + 256_000;
    await analyzeSchema(client, schema);
  }

  async function analyzeSchema(client: PoolClient, schema: string): Promise<void> {
    const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
    for (const { tablename } of rows) await client.query(`ANALYZE "${schema}"."${tablename}"`);
  }

  /**
   * A committed schema's tables analyzed on two connections at once (the runner's and one from the pool): what a
   * rebuild does before its swap, while nothing else waits on the runner's connection.
   */
  async function analyzeSchemaBesideClient(client: PoolClient, schema: string): Promise<void> {
    const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
    const tables = rows.map((row) => row.tablename);
    const analyzeNext = async (connection: PoolClient) => {
      try {
        for (let table = tables.shift(); table !== undefined; table = tables.shift()) await connection.query(`ANALYZE "${schema}"."${table}"`);
      } catch (error) {
        tables.length = 0; // the other connection stops after its current table
        throw error;
      }
    };
    const other = await pool.connect();
    // Both settle before the pool's connection goes back (a failure on one must not release the other mid-query).
    const results = await Promise.allSettled([analyzeNext(client), analyzeNext(other)]);
    other.release(results[1].status === 'rejected' ? (results[1].reason as Error) : undefined);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  }

  /** Applies a batch and records how far it got, atomically. */
  async function applyInTransaction(
    client: PoolClient,
    schema: string,
    events: readonly StoredEvent[],
    recordProgress: (last: Position, count: number) => Promise<unknown>,
    context: ApplyContext = { rebuilding: false },
  ): Promise<void> {
    await client.query('BEGIN');
    try {
      const firstTime = skipRepeats ? await firstTimeOnly(client, schema, events) : events;
      if (firstTime.length > 0) await projection.apply(client, schema, firstTime, context);
      await recordProgress(events[events.length - 1].position, firstTime.length);
      await analyzeAsItGrows(client, schema, firstTime.length);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  const moveLiveCheckpoint = (client: PoolClient) => (last: Position, count: number) =>
    client.query(
      `UPDATE projection_checkpoints
          SET transaction_id = $2, global_position = $3, events_applied = events_applied + $4, updated_at = now(), last_error = NULL
        WHERE name = $1`,
      [projection.name, last.transactionId.toString(), last.globalPosition.toString(), count],
    );
  // The rebuild's own position is kept in memory: a rebuild interrupted by a crash starts again from zero.
  const countRebuildProgress = (client: PoolClient) => (_last: Position, count: number) =>
    client.query('UPDATE projection_checkpoints SET rebuild_events_applied = COALESCE(rebuild_events_applied, 0) + $2 WHERE name = $1', [
      projection.name,
      count,
    ]);

  async function rebuild(client: PoolClient): Promise<void> {
    rebuilding = true;
    const shadow = `${projection.schema}${REBUILD_SUFFIX}`;
    try {
      await client.query(
        'UPDATE projection_checkpoints SET rebuild_started_at = now(), rebuild_events_applied = 0 WHERE name = $1',
        [projection.name],
      );
      await createSchema(client, shadow);
      let position: Position = START;
      let applied = 0;
      for (;;) {
        if (stopping) return;
        const events = await store.readAll({ after: position, limit: batchSize });
        if (events.length === 0) break;
        await applyInTransaction(client, shadow, events, countRebuildProgress(client), { rebuilding: projection.completeRebuild !== undefined });
        position = events[events.length - 1].position;
        applied += events.length;
      }
      if (projection.completeRebuild) {
        // Not analyzed first: its set-based passes read whole tables, which statistics would not change.
        await client.query('BEGIN');
        try {
          await projection.completeRebuild(client, shadow);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
      await analyzeSchemaBesideClient(client, shadow);
      analyzedAt.set(projection.schema, { applied, next: Math.max(2000, applied * 2) });
      // Swap: the rebuilt schema becomes the live one, with the checkpoint it reached, in one transaction.
      const retired = `${projection.schema}${RETIRED_SUFFIX}`;
      await client.query('BEGIN');
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${retired}" CASCADE`);
        await client.query(`ALTER SCHEMA "${projection.schema}" RENAME TO "${retired}"`);
        await client.query(`ALTER SCHEMA "${shadow}" RENAME TO "${projection.schema}"`);
        await client.query(`DROP SCHEMA "${retired}" CASCADE`);
        await client.query(
          `UPDATE projection_checkpoints
              SET transaction_id = $2, global_position = $3, events_applied = $4, updated_at = now(), projection_version = $5,
                  rebuild_requested_at = NULL, rebuild_started_at = NULL, last_rebuilt_at = now(), last_error = NULL, event_store = $6
            WHERE name = $1`,
          [projection.name, position.transactionId.toString(), position.globalPosition.toString(), applied, projection.version, store.kind],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      rebuilding = false;
    }
  }

  // Asked through the pool: the locked connection may be inside a transaction of the live subscription's handler.
  async function rebuildRequested(): Promise<boolean> {
    const { rows } = await pool.query<{ requested: boolean }>(
      'SELECT rebuild_requested_at IS NOT NULL AS requested FROM projection_checkpoints WHERE name = $1',
      [projection.name],
    );
    return rows[0]?.requested ?? false;
  }

  async function runWhileLocked(client: PoolClient): Promise<void> {
    await ensureCheckpointRow(client);
    if (!(await schemaExists(client, projection.schema))) {
      // A read model without its schema (first start) is built from zero.
      await client.query(
        'UPDATE projection_checkpoints SET transaction_id = 0, global_position = 0, events_applied = 0, projection_version = $2, event_store = $3 WHERE name = $1',
        [projection.name, projection.version, store.kind],
      );
      await createSchema(client, projection.schema);
      // A projection with a set-based end of rebuild builds its first read model as a rebuild (the empty one answers meanwhile).
      if (projection.completeRebuild) {
        await client.query('UPDATE projection_checkpoints SET rebuild_requested_at = COALESCE(rebuild_requested_at, now()) WHERE name = $1', [projection.name]);
      }
    } else {
      if (skipRepeats) await createAppliedEventsTable(client, projection.schema);
      // A checkpoint is a position in one store's log: after a switch of EVENT_STORE, rebuild from the new store.
      const { rows: stores } = await client.query<{ event_store: string | null }>(
        `UPDATE projection_checkpoints SET event_store = COALESCE(event_store, $2) WHERE name = $1
         RETURNING event_store`,
        [projection.name, store.kind],
      );
      if (stores[0]?.event_store !== store.kind) {
        await client.query('UPDATE projection_checkpoints SET rebuild_requested_at = COALESCE(rebuild_requested_at, now()) WHERE name = $1', [projection.name]);
      }
      const { rows } = await client.query<{ projection_version: number | null }>('SELECT projection_version FROM projection_checkpoints WHERE name = $1', [projection.name]);
      if (rows[0]?.projection_version !== projection.version) {
        // Built by another version of the code: rebuild beside it; it keeps answering until the swap.
        await client.query('UPDATE projection_checkpoints SET rebuild_requested_at = COALESCE(rebuild_requested_at, now()) WHERE name = $1', [projection.name]);
      }
    }
    let position = await readCheckpoint(client);
    let backoffMs = idlePollMs;
    // New events come from the store's subscription (LISTEN/NOTIFY for PostgreSQL, a catch-up subscription to $all
    // for EventStoreDB); its handler applies each batch on this locked connection with the checkpoint. A failure stops
    // the subscription, and a new one starts from the checkpoint after a backoff.
    let live: Subscription | undefined;
    let failure: unknown;
    const stopLive = async (): Promise<void> => {
      const subscription = live;
      live = undefined;
      await subscription?.stop();
    };
    const applyLive = async (events: readonly StoredEvent[]): Promise<void> => {
      if (failure !== undefined) throw failure;
      const fresh = events.filter((event) => comparePositions(event.position, position) > 0);
      if (fresh.length === 0) return;
      try {
        await applyInTransaction(client, projection.schema, fresh, moveLiveCheckpoint(client));
        position = fresh[fresh.length - 1].position;
        backoffMs = idlePollMs;
      } catch (error) {
        failure = error;
        wakeUp?.();
        throw error;
      }
    };
    try {
      while (!stopping) {
        // Out of this loop: run() gives the connection back as broken and takes the lock again on a new one.
        if (lockedConnectionLost !== undefined) throw lockedConnectionLost;
        try {
          if (failure !== undefined) throw failure;
          if (await rebuildRequested()) {
            await stopLive();
            await rebuild(client);
            position = await readCheckpoint(client);
            continue;
          }
          live ??= store.subscribe({
            after: position,
            batchSize,
            handler: applyLive,
            onError: (error) => {
              if (error !== failure) reportError(error);
            },
          });
          await sleep(idlePollMs);
        } catch (error) {
          reportError(error);
          await stopLive();
          failure = undefined;
          await client
            .query('UPDATE projection_checkpoints SET last_error = $2 WHERE name = $1', [projection.name, String((error as Error).message ?? error)])
            .catch(() => undefined);
          await sleep(backoffMs);
          backoffMs = Math.min(backoffMs * 2, 10_000);
          position = await readCheckpoint(client);
        }
      }
    } finally {
      await stopLive();
    }
  }

  const onLockedConnectionError = (error: Error): void => {
    lockedConnectionLost = error;
    wakeUp?.();
  };

  async function run(): Promise<void> {
    while (!stopping) {
      // Not `instanceof Error`: a socket error (ECONNREFUSED while the database restarts) may come from another realm
      // (under jest), and a connection taken for an error would crash this loop for good.
      const connected = await pool.connect().then((client) => ({ client }), (error: unknown) => ({ error }));
      if (!('client' in connected)) {
        reportError(connected.error);
        await sleep(1000);
        continue;
      }
      const { client } = connected;
      let broken: Error | undefined;
      let locked = false;
      try {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
        locked = rows[0].locked;
        state = locked ? 'running' : 'standby';
        if (locked) {
          // Only the connection that holds the lock is watched: its end is the lock's end.
          lockedConnectionLost = undefined;
          client.on('error', onLockedConnectionError);
          await runWhileLocked(client);
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } catch (error) {
        reportError(error);
        // A broken connection drops the lock with it: give it back as broken and try again.
        broken = error as Error;
      } finally {
        client.removeListener('error', onLockedConnectionError);
        client.release(broken);
      }
      if (broken !== undefined) await sleep(1000);
      else if (!locked) await sleep(Math.max(idlePollMs, 1000));
    }
    state = 'stopped';
  }

  return {
    name: projection.name,
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      loop = undefined;
      state = 'stopped';
    },
    wake() {
      wakeUp?.();
    },
    async requestRebuild() {
      await pool.query(
        `INSERT INTO projection_checkpoints (name, rebuild_requested_at) VALUES ($1, now())
         ON CONFLICT (name) DO UPDATE SET rebuild_requested_at = COALESCE(projection_checkpoints.rebuild_requested_at, now())`,
        [projection.name],
      );
      wakeUp?.();
    },
    async status() {
      const { rows } = await pool.query(
        `SELECT transaction_id, global_position, events_applied, updated_at, rebuild_requested_at, rebuild_started_at,
                rebuild_events_applied, last_rebuilt_at, last_error
           FROM projection_checkpoints WHERE name = $1`,
        [projection.name],
      );
      const row = rows[0];
      const position: Position = row
        ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }
        : START;
      const lag = await store.lagAfter(position);
      const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);
      return {
        name: projection.name,
        version: projection.version,
        state,
        rebuilding: rebuilding || Boolean(row?.rebuild_started_at),
        position: { transactionId: position.transactionId.toString(), globalPosition: position.globalPosition.toString() },
        eventsApplied: Number(row?.events_applied ?? 0),
        eventsBehind: lag.events,
        secondsBehind: lag.oldestRecordedAt ? Math.max(0, (Date.now() - lag.oldestRecordedAt.getTime()) / 1000) : 0,
        updatedAt: iso(row?.updated_at),
        rebuild: {
          requestedAt: iso(row?.rebuild_requested_at),
          startedAt: iso(row?.rebuild_started_at),
          eventsApplied: row?.rebuild_events_applied == null ? null : Number(row.rebuild_events_applied),
          lastRebuiltAt: iso(row?.last_rebuilt_at),
        },
        lastError: row?.last_error ?? null,
      };
    },
    async waitUntilCaughtUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const head = await store.lastCommittedPosition();
      for (;;) {
        // Caught up means: built by this version of the projection, from this store, not rebuilding, at the head.
        const { rows } = await pool.query<{ transaction_id: string; global_position: string; current: boolean }>(
          `SELECT transaction_id, global_position,
                  rebuild_requested_at IS NULL AND projection_version = $2 AND event_store = $3 AS current
             FROM projection_checkpoints WHERE name = $1`,
          [projection.name, projection.version, store.kind],
        );
        const row = rows[0];
        if (row?.current) {
          const reached = { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) };
          const behind = reached.transactionId < head.transactionId || (reached.transactionId === head.transactionId && reached.globalPosition < head.globalPosition);
          if (!behind) return;
        }
        if (Date.now() > deadline) throw new Error(`projection ${projection.name} did not catch up within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
