import { comparePositions, type EventStore, type Position, START, type StoredEvent, type Subscription } from '@rework-ledger/event-store';
import { runMigrations } from '@rework-ledger/platform';
import type { Pool, PoolClient } from 'pg';
import { classifyApplyFailure } from './apply-failure';
import { applyOrSetAside, type ContractViolations, contractViolations } from './apply-or-park';
import { PROJECTIONS_MIGRATIONS } from './checkpoints.migrations';
import { PARKED_EVENTS_MIGRATIONS } from './parked-events.migrations';
import {
  discardStagedParked,
  type LastParked,
  NOTHING_PARKED,
  type ParkedEvent,
  parkedByTenant,
  parkedEventOf,
  promoteStagedParked,
  recordParked,
} from './parked-events';
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
  /** The runner's last failure while it retries (an infrastructure fault: data faults park their event instead). */
  lastError: string | null;
  /** Events set aside, every tenant's; the last one parked, with its tenant; how many per tenant. */
  parked: number;
  lastParked: (LastParked & { tenant: string }) | null;
  parkedByTenant: Record<string, number>;
}>;

/**
 * One tenant's view of a projection: its own lag, re-projection and parked events, and nothing of other tenants
 * (no global volume, no other tenant's error text).
 */
export type TenantProjectionStatus = Readonly<{
  name: string;
  version: number;
  tenant: string;
  state: ProjectionStatus['state'];
  /** A full rebuild or a re-projection of this tenant is under way (its metrics stay served meanwhile). */
  rebuilding: boolean;
  /** This tenant's events stored but not yet applied, counted up to {@link TENANT_LAG_COUNT_LIMIT} (that number means "or more"). */
  eventsBehind: number;
  /** Age of this tenant's oldest event not yet applied; 0 when caught up. */
  secondsBehind: number;
  /** The runner is retrying after an infrastructure fault (no detail: it may concern the platform, not this tenant). */
  stalled: boolean;
  rebuild: { requestedAt: string | null; startedAt: string | null; eventsApplied: number | null; lastRebuiltAt: string | null };
  parked: number;
  lastParked: LastParked | null;
}>;

/** How far a tenant's lag is counted: reading its events is the only per-tenant count a store offers. */
export const TENANT_LAG_COUNT_LIMIT = 1000;

export type ProjectionRunnerOptions = Readonly<{
  pool: Pool;
  store: EventStore;
  projection: Projection;
  batchSize?: number;
  /** How often an idle runner looks for new events, and a standby runner for the lock. */
  idlePollMs?: number;
  onError?: (error: unknown) => void;
  /** Told of each event set aside, once its transaction has committed (a log line, a counter). */
  onParked?: (parked: ParkedEvent, context: ApplyContext) => void;
}>;

export interface ProjectionRunner {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  /** Wakes an idle runner at once (new events were appended in this process). */
  wake(): void;
  /**
   * Asks the active runner (in any process) to rebuild the read model from zero beside the live one; with a tenant,
   * to re-project that tenant only (built beside, then its rows replaced in one transaction). This is also how its
   * parked events are retried after a fix.
   */
  requestRebuild(tenant?: string): Promise<void>;
  /** Every tenant's status (operators). */
  status(): Promise<ProjectionStatus>;
  /** One tenant's status. */
  tenantStatus(tenant: string): Promise<TenantProjectionStatus>;
  /** Adds a listener told of each parked event (the process's metrics). */
  addParkedListener(listener: (parked: ParkedEvent, context: ApplyContext) => void): void;
  /** Resolves once the runner has applied every event visible now (for tests, the demo loader, benchmarks). */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
}

/** Migrates the checkpoint table. Call once at start, before creating runners. */
export async function migrateProjections(pool: Pool): Promise<void> {
  await runMigrations(pool, 'projections', PROJECTIONS_MIGRATIONS);
  await runMigrations(pool, 'projection-parked-events', PARKED_EVENTS_MIGRATIONS);
}

/** Stable 32-bit key for the runner's advisory lock. */
function lockKey(name: string): number {
  let hash = 0x2f1a;
  for (const char of `projection:${name}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

const REBUILD_SUFFIX = '__rebuild';
/** Where one tenant's re-projection is built (one at a time per projection). */
const TENANT_REBUILD_SUFFIX = '__tenant_rebuild';
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
  const handledTypes = projection.handles ? new Set(projection.handles) : undefined;
  const handled = (event: StoredEvent): boolean => handledTypes === undefined || handledTypes.has(event.type);
  const parkedListeners = options.onParked ? [options.onParked] : [];
  const key = lockKey(projection.name);
  const tenantRebuildKey = lockKey(`${projection.name}:tenant-rebuild`);
  // A store that may hold an event twice (EventStoreDB after a late retry): skip keys already applied.
  const skipRepeats = !store.deduplicatesOnAppend;

  let state: ProjectionStatus['state'] = 'stopped';
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
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
    if (schema.endsWith(REBUILD_SUFFIX) || schema.endsWith(TENANT_REBUILD_SUFFIX)) return;
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

  /**
   * Applies a batch and records how far it got, atomically. An event the projection cannot apply (it breaks the
   * contract, or the database rejects its data) is parked in the same transaction and the rest of the batch applied:
   * see `applyOrSetAside`. What a rebuild parks is staged until its swap.
   */
  async function applyInTransaction(
    client: PoolClient,
    schema: string,
    events: readonly StoredEvent[],
    recordProgress: (last: Position, count: number) => Promise<unknown>,
    context: ApplyContext = { rebuilding: false },
    parkStaged = false,
    violations?: ContractViolations,
  ): Promise<void> {
    let parked: ParkedEvent[] = [];
    await client.query('BEGIN');
    try {
      const firstTime = skipRepeats ? await firstTimeOnly(client, schema, events) : events;
      const setAside = await applyOrSetAside(client, firstTime.filter(handled), (part) => projection.apply(client, schema, part, context), violations);
      parked = setAside.map(({ event, reason }) => parkedEventOf(projection.name, event, reason));
      await recordParked(client, parked, parkStaged);
      await recordProgress(events[events.length - 1].position, firstTime.length - parked.length);
      await analyzeAsItGrows(client, schema, firstTime.length);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    for (const event of parked) for (const listener of parkedListeners) listener(event, { rebuilding: parkStaged });
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

  /** Runs `work` in one transaction on the runner's connection. */
  async function inTransaction(client: PoolClient, work: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await work();
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Fills `shadow` from zero with the events `read` returns, batch after batch, through the same path as live (the
   * same checks, the same parking, staged until the swap), then completes it. A projection with a set-based end of
   * rebuild stages its facts and derives the rest at the end; if that end fails on a data fault, which no single event
   * can be blamed for there, the shadow is filled again batch by batch as live applies them, so that a rebuild parks
   * exactly the events live parks. Returns where it got, or undefined when the runner is stopping.
   */
  async function fillShadow(
    client: PoolClient,
    shadow: string,
    read: (after: Position) => Promise<readonly StoredEvent[]>,
    progress: Readonly<{ start: () => Promise<unknown>; record: (last: Position, count: number) => Promise<unknown> }>,
    tenant?: string,
  ): Promise<{ position: Position; applied: number } | undefined> {
    let bulk = projection.completeRebuild !== undefined;
    for (;;) {
      await progress.start();
      await createSchema(client, shadow);
      await discardStagedParked(client, projection.name, tenant);
      let position: Position = START;
      let applied = 0;
      // The next batch is read and checked against the contract while this one is applied (CPU beside the database).
      const readChecked = (after: Position) => read(after).then((events) => ({ events, violations: contractViolations(events, handled) }));
      let next = readChecked(position);
      for (;;) {
        const { events, violations } = await next;
        if (stopping) return undefined;
        if (events.length === 0) break;
        next = readChecked(events[events.length - 1].position);
        // Settled here if the batch fails first, so that its failure is not also an unhandled rejection.
        next.catch(() => undefined);
        await applyInTransaction(client, shadow, events, progress.record, { rebuilding: bulk }, true, violations);
        position = events[events.length - 1].position;
        applied += events.length;
      }
      const complete = projection.completeRebuild;
      if (!bulk || !complete) return { position, applied };
      try {
        // Not analyzed first: its set-based passes read whole tables, which statistics would not change.
        await inTransaction(client, () => complete(client, shadow));
        return { position, applied };
      } catch (error) {
        const failure = classifyApplyFailure(error);
        if (failure.action === 'retry') throw error;
        reportError(new Error(`rebuild of ${projection.name}: its set-based end failed on a data fault (${failure.code}); filling it again batch by batch, as live`));
        bulk = false;
      }
    }
  }

  async function rebuild(client: PoolClient): Promise<void> {
    const shadow = `${projection.schema}${REBUILD_SUFFIX}`;
    await client.query('UPDATE projection_checkpoints SET rebuild_started_at = now() WHERE name = $1', [projection.name]);
    // A full rebuild also does what re-projections of one tenant were asked for.
    await client.query('UPDATE projection_tenant_rebuilds SET started_at = now() WHERE name = $1 AND requested_at IS NOT NULL', [projection.name]);
    const filled = await fillShadow(client, shadow, (after) => store.readAll({ after, limit: batchSize }), {
      start: () => client.query('UPDATE projection_checkpoints SET rebuild_events_applied = 0 WHERE name = $1', [projection.name]),
      record: countRebuildProgress(client),
    });
    if (!filled) return;
    const { position, applied } = filled;
    await analyzeSchemaBesideClient(client, shadow);
    analyzedAt.set(projection.schema, { applied, next: Math.max(2000, applied * 2) });
    // Swap: the rebuilt schema becomes the live one, with the checkpoint it reached and what it parked, in one transaction.
    const retired = `${projection.schema}${RETIRED_SUFFIX}`;
    await inTransaction(client, async () => {
      await client.query(`DROP SCHEMA IF EXISTS "${retired}" CASCADE`);
      await client.query(`ALTER SCHEMA "${projection.schema}" RENAME TO "${retired}"`);
      await client.query(`ALTER SCHEMA "${shadow}" RENAME TO "${projection.schema}"`);
      await client.query(`DROP SCHEMA "${retired}" CASCADE`);
      await promoteStagedParked(client, projection.name);
      await client.query(
        `UPDATE projection_checkpoints
            SET transaction_id = $2, global_position = $3, events_applied = $4, updated_at = now(), projection_version = $5,
                rebuild_requested_at = NULL, rebuild_started_at = NULL, last_rebuilt_at = now(), last_error = NULL, event_store = $6
          WHERE name = $1`,
        [projection.name, position.transactionId.toString(), position.globalPosition.toString(), applied, projection.version, store.kind],
      );
      await client.query(
        `UPDATE projection_tenant_rebuilds
            SET requested_at = CASE WHEN requested_at > started_at THEN requested_at END, started_at = NULL, last_rebuilt_at = now()
          WHERE name = $1 AND started_at IS NOT NULL`,
        [projection.name],
      );
    });
  }

  /**
   * Re-projects one tenant, in two phases, so that live goes on for every tenant meanwhile. First (`fillTenantShadow`,
   * on a connection of its own, beside live): the tenant's events up to the live checkpoint of that moment fill a
   * shadow schema, which is completed. Then (`swapTenant`, on the runner's connection, live paused): the tenant's
   * events live applied since are applied to the shadow as live applies them, and one transaction replaces the
   * tenant's rows of every table of the live schema by the shadow's, and the tenant's parked events by what the
   * re-projection parked. Other tenants' rows are not touched. Every table of a projection has a tenant column
   * (checked: a table without one is refused).
   */
  type TenantShadow = Readonly<{ tenant: string; reached: Position }>;

  /** Reads one tenant's events after a position, up to `upTo` (inclusive), a batch at a time. */
  const tenantEventsUpTo = (tenant: string, upTo: Position) => {
    let reachedEnd = false;
    let from: Position | undefined;
    return async (after: Position): Promise<readonly StoredEvent[]> => {
      if (from === undefined || comparePositions(after, from) < 0) reachedEnd = false; // a new pass
      from = after;
      if (reachedEnd) return [];
      const events = await store.readAll({ after, limit: batchSize, tenant });
      const upToIt = events.filter((event) => comparePositions(event.position, upTo) <= 0);
      if (upToIt.length < events.length || events.length < batchSize) reachedEnd = true;
      return upToIt;
    };
  };

  const tenantProgress = (client: PoolClient, tenant: string) => ({
    start: () => client.query('UPDATE projection_tenant_rebuilds SET events_applied = 0 WHERE name = $1 AND tenant = $2', [projection.name, tenant]),
    record: (_last: Position, count: number) =>
      client.query('UPDATE projection_tenant_rebuilds SET events_applied = COALESCE(events_applied, 0) + $3 WHERE name = $1 AND tenant = $2', [
        projection.name,
        tenant,
        count,
      ]),
  });

  /**
   * Phase one, beside live. Under a lock of its own (a process whose runner lock went with its connection may still be
   * finishing this phase: a second one must not fill the same shadow). Undefined when the runner stops first.
   */
  async function fillTenantShadow(tenant: string): Promise<TenantShadow | undefined> {
    const other = await pool.connect();
    let broken: Error | undefined;
    try {
      const { rows } = await other.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [tenantRebuildKey]);
      if (!rows[0].locked) return undefined; // the other process's phase is still running: asked again later
      try {
        await other.query('UPDATE projection_tenant_rebuilds SET started_at = now() WHERE name = $1 AND tenant = $2', [projection.name, tenant]);
        const reached = await readCheckpoint(other);
        const shadow = `${projection.schema}${TENANT_REBUILD_SUFFIX}`;
        const filled = await fillShadow(other, shadow, tenantEventsUpTo(tenant, reached), tenantProgress(other, tenant), tenant);
        return filled ? { tenant, reached } : undefined;
      } finally {
        await other.query('SELECT pg_advisory_unlock($1)', [tenantRebuildKey]);
      }
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      other.release(broken);
    }
  }

  /** Phase two, live paused: the tenant's events since phase one, then the swap of its rows. */
  async function swapTenant(client: PoolClient, filled: TenantShadow): Promise<void> {
    const { tenant } = filled;
    const shadow = `${projection.schema}${TENANT_REBUILD_SUFFIX}`;
    const read = tenantEventsUpTo(tenant, await readCheckpoint(client));
    const progress = tenantProgress(client, tenant);
    for (let after = filled.reached; ; ) {
      if (stopping) return;
      const events = await read(after);
      if (events.length === 0) break;
      // Applied as live applies them: the shadow is complete, as a rebuilt schema is when it goes live.
      await applyInTransaction(client, shadow, events, progress.record, { rebuilding: false }, true);
      after = events[events.length - 1].position;
    }
    const { rows: tables } = await client.query<{ table_name: string; has_tenant: boolean }>(
      `SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c
                WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'tenant') AS has_tenant
         FROM information_schema.tables t WHERE t.table_schema = $1 AND t.table_type = 'BASE TABLE' ORDER BY t.table_name`,
      [shadow],
    );
    const withoutTenant = tables.filter((table) => !table.has_tenant).map((table) => table.table_name);
    if (withoutTenant.length > 0) {
      throw new Error(`${projection.name} cannot be re-projected for one tenant: tables without a tenant column (${withoutTenant.join(', ')})`);
    }
    await inTransaction(client, async () => {
      for (const { table_name: table } of tables) {
        await client.query(`DELETE FROM "${projection.schema}"."${table}" WHERE tenant = $1`, [tenant]);
        // OVERRIDING SYSTEM VALUE: identity columns keep the shadow's values (no live table has rows of them then).
        await client.query(`INSERT INTO "${projection.schema}"."${table}" OVERRIDING SYSTEM VALUE SELECT * FROM "${shadow}"."${table}"`);
      }
      await promoteStagedParked(client, projection.name, tenant);
      // A request made while this one ran (a new fix: see requestRebuild) is done again; the one this run answered is done.
      await client.query(
        `UPDATE projection_tenant_rebuilds
            SET requested_at = CASE WHEN requested_at > started_at THEN requested_at END, started_at = NULL, last_rebuilt_at = now()
          WHERE name = $1 AND tenant = $2`,
        [projection.name, tenant],
      );
    });
    await client.query(`DROP SCHEMA IF EXISTS "${shadow}" CASCADE`);
    analyzedAt.delete(shadow);
  }

  /** The tenant whose re-projection was asked for first, if any. */
  async function nextTenantToRebuild(): Promise<string | undefined> {
    const { rows } = await pool.query<{ tenant: string }>(
      'SELECT tenant FROM projection_tenant_rebuilds WHERE name = $1 AND requested_at IS NOT NULL ORDER BY requested_at, tenant LIMIT 1',
      [projection.name],
    );
    return rows[0]?.tenant;
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
      // A projection with a set-based end of rebuild builds its first read model as a rebuild (the empty one answers
      // meanwhile): asked for in the same statement, so that nobody sees the read model current before it is built.
      await createSchema(client, projection.schema);
      await client.query(
        `UPDATE projection_checkpoints SET transaction_id = 0, global_position = 0, events_applied = 0, projection_version = $2, event_store = $3,
                rebuild_requested_at = CASE WHEN $4 THEN COALESCE(rebuild_requested_at, now()) ELSE rebuild_requested_at END
          WHERE name = $1`,
        [projection.name, projection.version, store.kind, projection.completeRebuild !== undefined],
      );
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
    /** A tenant's re-projection filling its shadow beside live (phase one), and how it ended. */
    let tenantJob: { done: Promise<void>; outcome?: { filled?: TenantShadow; error?: unknown } } | undefined;
    const startTenantJob = (tenant: string) => {
      const job: NonNullable<typeof tenantJob> = { done: Promise.resolve() };
      job.done = fillTenantShadow(tenant).then(
        (filled) => {
          job.outcome = { filled };
        },
        (error: unknown) => {
          job.outcome = { error };
        },
      ).finally(() => wakeUp?.());
      tenantJob = job;
    };
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
            // A full rebuild does every tenant: a re-projection under way is let finish its phase and dropped.
            await tenantJob?.done;
            tenantJob = undefined;
            await rebuild(client);
            position = await readCheckpoint(client);
            continue;
          }
          if (tenantJob?.outcome) {
            const { filled, error } = tenantJob.outcome;
            tenantJob = undefined;
            if (error !== undefined) throw error;
            if (filled) {
              // Live pauses (its read model still answers) for the tenant's last events and the swap of its rows.
              await stopLive();
              await swapTenant(client, filled);
              position = await readCheckpoint(client);
              continue;
            }
          }
          if (!tenantJob) {
            const tenant = await nextTenantToRebuild();
            if (tenant !== undefined) startTenantJob(tenant);
          }
          if (!live) {
            const subscription = store.subscribe({
              after: position,
              batchSize,
              handler: applyLive,
              onError: (error) => {
                if (error !== failure) reportError(error);
              },
            });
            live = subscription;
            // Caught up again after a failure: no longer stalled, even if no new event comes to clear the error.
            subscription
              .caughtUp()
              .then(async () => {
                if (live === subscription && failure === undefined) {
                  await pool.query('UPDATE projection_checkpoints SET last_error = NULL WHERE name = $1 AND last_error IS NOT NULL', [projection.name]);
                }
              })
              .catch(() => undefined);
          }
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
      await tenantJob?.done;
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

  async function parkedOfEveryTenant(): Promise<Pick<ProjectionStatus, 'parked' | 'lastParked' | 'parkedByTenant'>> {
    const byTenant = await parkedByTenant(pool, projection.name);
    let lastParked: ProjectionStatus['lastParked'] = null;
    let parked = 0;
    for (const [tenant, summary] of byTenant) {
      parked += summary.count;
      if (summary.last && (lastParked === null || summary.last.parkedAt > lastParked.parkedAt)) lastParked = { tenant, ...summary.last };
    }
    return { parked, lastParked, parkedByTenant: Object.fromEntries([...byTenant].map(([tenant, summary]) => [tenant, summary.count])) };
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
    async requestRebuild(tenant?: string) {
      if (tenant !== undefined) {
        // A request made while one runs is kept for after it (the run may have read the tenant's events before a fix).
        await pool.query(
          `INSERT INTO projection_tenant_rebuilds (name, tenant, requested_at) VALUES ($1, $2, now())
           ON CONFLICT (name, tenant) DO UPDATE SET requested_at = CASE
             WHEN projection_tenant_rebuilds.started_at IS NOT NULL THEN now()
             ELSE COALESCE(projection_tenant_rebuilds.requested_at, now()) END`,
          [projection.name, tenant],
        );
        wakeUp?.();
        return;
      }
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
                rebuild_events_applied, last_rebuilt_at, last_error,
                EXISTS (SELECT 1 FROM projection_tenant_rebuilds t WHERE t.name = $1 AND t.started_at IS NOT NULL) AS tenant_rebuilding
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
        rebuilding: Boolean(row?.rebuild_started_at) || Boolean(row?.tenant_rebuilding),
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
        ...(await parkedOfEveryTenant()),
      };
    },
    async tenantStatus(tenant: string) {
      const { rows } = await pool.query(
        `SELECT c.transaction_id, c.global_position, c.rebuild_started_at, c.last_error,
                t.requested_at, t.started_at, t.events_applied,
                -- a full rebuild re-projects every tenant
                GREATEST(t.last_rebuilt_at, c.last_rebuilt_at) AS last_rebuilt_at
           FROM (SELECT $1::text AS name) n
           LEFT JOIN projection_checkpoints c ON c.name = n.name
           LEFT JOIN projection_tenant_rebuilds t ON t.name = n.name AND t.tenant = $2`,
        [projection.name, tenant],
      );
      const row = rows[0];
      const position: Position =
        row?.transaction_id != null ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) } : START;
      // This tenant's oldest event not applied yet: its lag alone, without the platform's volume.
      const behind = await store.readAll({ after: position, tenant, limit: TENANT_LAG_COUNT_LIMIT });
      const oldest = behind[0];
      const parked = (await parkedByTenant(pool, projection.name, tenant)).get(tenant) ?? NOTHING_PARKED;
      const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);
      return {
        name: projection.name,
        version: projection.version,
        tenant,
        state,
        rebuilding: Boolean(row?.rebuild_started_at) || Boolean(row?.started_at),
        // No position: it is store-wide, and would show every tenant's volume.
        eventsBehind: behind.length,
        secondsBehind: oldest ? Math.max(0, (Date.now() - oldest.recordedAt.getTime()) / 1000) : 0,
        stalled: row?.last_error != null,
        rebuild: {
          requestedAt: iso(row?.requested_at),
          startedAt: iso(row?.started_at),
          eventsApplied: row?.events_applied == null ? null : Number(row.events_applied),
          lastRebuiltAt: iso(row?.last_rebuilt_at),
        },
        parked: parked.count,
        lastParked: parked.last,
      };
    },
    addParkedListener(listener) {
      parkedListeners.push(listener);
    },
    async waitUntilCaughtUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const head = await store.lastCommittedPosition();
      for (;;) {
        // Caught up means: built by this version of the projection, from this store, not rebuilding, at the head.
        const { rows } = await pool.query<{ transaction_id: string; global_position: string; current: boolean }>(
          `SELECT transaction_id, global_position,
                  rebuild_requested_at IS NULL AND projection_version = $2 AND event_store = $3
                  AND NOT EXISTS (SELECT 1 FROM projection_tenant_rebuilds t WHERE t.name = $1 AND t.requested_at IS NOT NULL) AS current
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
