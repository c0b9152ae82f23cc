import { type Position, START } from '@rework-ledger/event-store';
import type { QueryResult, QueryResultRow } from 'pg';

/** Anything that runs a query: the pool, or one of its clients (inside its transaction). */
export type Queryable = { query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> };

type PositionRow = { transaction_id: string | null; global_position: string | null };
const positionOf = (row: PositionRow | undefined): Position =>
  row?.transaction_id != null ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position ?? 0) } : START;

/** Where a projection's read model stands, as recorded at start (see {@link rebuildNeededAtStart}). */
export type RecordedBuild = Readonly<{ projectionVersion: number | null; eventStore: string | null }>;

export type CheckpointRow = Readonly<{
  position: Position;
  eventsApplied: number;
  updatedAt: Date | null;
  rebuildRequestedAt: Date | null;
  rebuildStartedAt: Date | null;
  rebuildEventsApplied: number | null;
  lastRebuiltAt: Date | null;
  lastError: string | null;
  /** A tenant's re-projection is under way. */
  tenantRebuilding: boolean;
}>;

export type TenantCheckpointRow = Readonly<{
  position: Position;
  /** A full rebuild is under way. */
  rebuildStartedAt: Date | null;
  lastError: string | null;
  requestedAt: Date | null;
  startedAt: Date | null;
  eventsApplied: number | null;
  /** The tenant's last re-projection, or the last full rebuild (which re-projects every tenant) if later. */
  lastRebuiltAt: Date | null;
}>;

/**
 * The positions of read models by name (for a cache that stays valid while they stand still), and how many events
 * each has applied, ordered by name. Read through the pool or a TypeORM `DataSource` (whose `query` returns the rows).
 */
export async function readProjectionPositions(
  db: { query(text: string, values?: unknown[]): Promise<unknown> },
  names: readonly string[],
): Promise<{ name: string; position: Position; eventsApplied: number }[]> {
  const result = await db.query('SELECT name, transaction_id, global_position, events_applied FROM projection_checkpoints WHERE name = ANY($1) ORDER BY name', [
    names,
  ]);
  const rows = (Array.isArray(result) ? result : (result as QueryResult).rows) as (PositionRow & { name: string; events_applied: string })[];
  return rows.map((row) => ({ name: row.name, position: positionOf(row), eventsApplied: Number(row.events_applied) }));
}

/**
 * Every statement on `projection_checkpoints` (one row per projection: its position, what it has applied, its
 * rebuild and its last error) and on `projection_tenant_rebuilds` (one row per projection and tenant re-projected).
 * Each method runs on the connection it is given, inside that connection's transaction if one is open.
 */
export class CheckpointStore {
  constructor(readonly name: string) {}

  async ensureRow(db: Queryable): Promise<void> {
    await db.query('INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [this.name]);
  }

  async position(db: Queryable): Promise<Position> {
    const { rows } = await db.query<PositionRow>('SELECT transaction_id, global_position FROM projection_checkpoints WHERE name = $1', [this.name]);
    return positionOf(rows[0]);
  }

  /** A read model built from zero: its position back at the start, built by this version from this store. */
  async resetToStart(db: Queryable, version: number, storeKind: string): Promise<void> {
    await db.query(
      `UPDATE projection_checkpoints SET transaction_id = 0, global_position = 0, events_applied = 0, projection_version = $2, event_store = $3
        WHERE name = $1`,
      [this.name, version, storeKind],
    );
  }

  /** Records the store of a checkpoint that predates the column; returns what the row says built the read model. */
  async recordedBuild(db: Queryable, storeKind: string): Promise<RecordedBuild> {
    const { rows } = await db.query<{ event_store: string | null; projection_version: number | null }>(
      `UPDATE projection_checkpoints SET event_store = COALESCE(event_store, $2) WHERE name = $1
       RETURNING event_store, projection_version`,
      [this.name, storeKind],
    );
    return { eventStore: rows[0]?.event_store ?? null, projectionVersion: rows[0]?.projection_version ?? null };
  }

  /** Asks for a full rebuild (kept as first asked while one is pending). */
  async requestRebuild(db: Queryable): Promise<void> {
    await db.query(
      `INSERT INTO projection_checkpoints (name, rebuild_requested_at) VALUES ($1, now())
       ON CONFLICT (name) DO UPDATE SET rebuild_requested_at = COALESCE(projection_checkpoints.rebuild_requested_at, now())`,
      [this.name],
    );
  }

  async rebuildRequested(db: Queryable): Promise<boolean> {
    const { rows } = await db.query<{ requested: boolean }>('SELECT rebuild_requested_at IS NOT NULL AS requested FROM projection_checkpoints WHERE name = $1', [
      this.name,
    ]);
    return rows[0]?.requested ?? false;
  }

  /** Live: the batch up to `last` is applied (`count` events of it), in the batch's transaction. */
  async advance(db: Queryable, last: Position, count: number): Promise<void> {
    await db.query(
      `UPDATE projection_checkpoints
          SET transaction_id = $2, global_position = $3, events_applied = events_applied + $4, updated_at = now(), last_error = NULL
        WHERE name = $1`,
      [this.name, last.transactionId.toString(), last.globalPosition.toString(), count],
    );
  }

  /** A full rebuild starts; it also does what re-projections of one tenant were asked for. */
  async startRebuild(db: Queryable): Promise<void> {
    await db.query('UPDATE projection_checkpoints SET rebuild_started_at = now() WHERE name = $1', [this.name]);
    await db.query('UPDATE projection_tenant_rebuilds SET started_at = now() WHERE name = $1 AND requested_at IS NOT NULL', [this.name]);
  }

  /** The rebuild's own count (its position is kept in memory: an interrupted rebuild starts again from zero). */
  async restartRebuildCount(db: Queryable): Promise<void> {
    await db.query('UPDATE projection_checkpoints SET rebuild_events_applied = 0 WHERE name = $1', [this.name]);
  }

  async countRebuildProgress(db: Queryable, count: number): Promise<void> {
    await db.query('UPDATE projection_checkpoints SET rebuild_events_applied = COALESCE(rebuild_events_applied, 0) + $2 WHERE name = $1', [this.name, count]);
  }

  /** At the swap, in its transaction: the rebuilt read model's position, and the rebuild (and the re-projections it did) done. */
  async completeRebuild(db: Queryable, reached: Readonly<{ position: Position; applied: number; version: number; storeKind: string }>): Promise<void> {
    const { position, applied, version, storeKind } = reached;
    await db.query(
      `UPDATE projection_checkpoints
          SET transaction_id = $2, global_position = $3, events_applied = $4, updated_at = now(), projection_version = $5,
              rebuild_requested_at = NULL, rebuild_started_at = NULL, last_rebuilt_at = now(), last_error = NULL, event_store = $6
        WHERE name = $1`,
      [this.name, position.transactionId.toString(), position.globalPosition.toString(), applied, version, storeKind],
    );
    await this.completeTenantRebuild(db);
  }

  async recordError(db: Queryable, message: string): Promise<void> {
    await db.query('UPDATE projection_checkpoints SET last_error = $2 WHERE name = $1', [this.name, message]);
  }

  /** Caught up again after a failure: no longer stalled, even if no new event comes to clear the error. */
  async clearError(db: Queryable): Promise<void> {
    await db.query('UPDATE projection_checkpoints SET last_error = NULL WHERE name = $1 AND last_error IS NOT NULL', [this.name]);
  }

  async statusRow(db: Queryable): Promise<CheckpointRow | undefined> {
    const { rows } = await db.query<
      PositionRow & {
        events_applied: string;
        updated_at: Date;
        rebuild_requested_at: Date | null;
        rebuild_started_at: Date | null;
        rebuild_events_applied: string | null;
        last_rebuilt_at: Date | null;
        last_error: string | null;
        tenant_rebuilding: boolean;
      }
    >(
      `SELECT transaction_id, global_position, events_applied, updated_at, rebuild_requested_at, rebuild_started_at,
              rebuild_events_applied, last_rebuilt_at, last_error,
              EXISTS (SELECT 1 FROM projection_tenant_rebuilds t WHERE t.name = $1 AND t.started_at IS NOT NULL) AS tenant_rebuilding
         FROM projection_checkpoints WHERE name = $1`,
      [this.name],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      position: positionOf(row),
      eventsApplied: Number(row.events_applied ?? 0),
      updatedAt: row.updated_at ?? null,
      rebuildRequestedAt: row.rebuild_requested_at ?? null,
      rebuildStartedAt: row.rebuild_started_at ?? null,
      rebuildEventsApplied: row.rebuild_events_applied == null ? null : Number(row.rebuild_events_applied),
      lastRebuiltAt: row.last_rebuilt_at ?? null,
      lastError: row.last_error ?? null,
      tenantRebuilding: Boolean(row.tenant_rebuilding),
    };
  }

  async tenantStatusRow(db: Queryable, tenant: string): Promise<TenantCheckpointRow> {
    type Row = PositionRow & {
      rebuild_started_at: Date | null;
      last_error: string | null;
      requested_at: Date | null;
      started_at: Date | null;
      events_applied: string | null;
      last_rebuilt_at: Date | null;
    };
    const { rows } = await db.query<Row>(
      `SELECT c.transaction_id, c.global_position, c.rebuild_started_at, c.last_error,
              t.requested_at, t.started_at, t.events_applied,
              -- a full rebuild re-projects every tenant
              GREATEST(t.last_rebuilt_at, c.last_rebuilt_at) AS last_rebuilt_at
         FROM (SELECT $1::text AS name) n
         LEFT JOIN projection_checkpoints c ON c.name = n.name
         LEFT JOIN projection_tenant_rebuilds t ON t.name = n.name AND t.tenant = $2`,
      [this.name, tenant],
    );
    const row: Partial<Row> = rows[0] ?? {};
    return {
      position: positionOf({ transaction_id: row.transaction_id ?? null, global_position: row.global_position ?? null }),
      rebuildStartedAt: row.rebuild_started_at ?? null,
      lastError: row.last_error ?? null,
      requestedAt: row.requested_at ?? null,
      startedAt: row.started_at ?? null,
      eventsApplied: row.events_applied == null ? null : Number(row.events_applied),
      lastRebuiltAt: row.last_rebuilt_at ?? null,
    };
  }

  /**
   * The position reached if the read model is current — built by this version of the projection, from this store,
   * with no rebuild or re-projection pending — else undefined.
   */
  async currentPosition(db: Queryable, version: number, storeKind: string): Promise<Position | undefined> {
    const { rows } = await db.query<PositionRow & { current: boolean }>(
      `SELECT transaction_id, global_position,
              rebuild_requested_at IS NULL AND projection_version = $2 AND event_store = $3
              AND NOT EXISTS (SELECT 1 FROM projection_tenant_rebuilds t WHERE t.name = $1 AND t.requested_at IS NOT NULL) AS current
         FROM projection_checkpoints WHERE name = $1`,
      [this.name, version, storeKind],
    );
    return rows[0]?.current ? positionOf(rows[0]) : undefined;
  }

  /** Asks to re-project one tenant; a request made while one runs is kept for after it (the run may have read its events before a fix). */
  async requestTenantRebuild(db: Queryable, tenant: string): Promise<void> {
    await db.query(
      `INSERT INTO projection_tenant_rebuilds (name, tenant, requested_at) VALUES ($1, $2, now())
       ON CONFLICT (name, tenant) DO UPDATE SET requested_at = CASE
         WHEN projection_tenant_rebuilds.started_at IS NOT NULL THEN now()
         ELSE COALESCE(projection_tenant_rebuilds.requested_at, now()) END`,
      [this.name, tenant],
    );
  }

  /** The tenant whose re-projection was asked for first, if any. */
  async nextTenantToRebuild(db: Queryable): Promise<string | undefined> {
    const { rows } = await db.query<{ tenant: string }>(
      'SELECT tenant FROM projection_tenant_rebuilds WHERE name = $1 AND requested_at IS NOT NULL ORDER BY requested_at, tenant LIMIT 1',
      [this.name],
    );
    return rows[0]?.tenant;
  }

  async startTenantRebuild(db: Queryable, tenant: string): Promise<void> {
    await db.query('UPDATE projection_tenant_rebuilds SET started_at = now() WHERE name = $1 AND tenant = $2', [this.name, tenant]);
  }

  async restartTenantCount(db: Queryable, tenant: string): Promise<void> {
    await db.query('UPDATE projection_tenant_rebuilds SET events_applied = 0 WHERE name = $1 AND tenant = $2', [this.name, tenant]);
  }

  async countTenantProgress(db: Queryable, tenant: string, count: number): Promise<void> {
    await db.query('UPDATE projection_tenant_rebuilds SET events_applied = COALESCE(events_applied, 0) + $3 WHERE name = $1 AND tenant = $2', [
      this.name,
      tenant,
      count,
    ]);
  }

  /**
   * A re-projection done (one tenant's, or every started one's at a full rebuild's swap). A request made while it ran
   * (a new fix) is done again; the one this run answered is done.
   */
  async completeTenantRebuild(db: Queryable, tenant?: string): Promise<void> {
    await db.query(
      `UPDATE projection_tenant_rebuilds
          SET requested_at = CASE WHEN requested_at > started_at THEN requested_at END, started_at = NULL, last_rebuilt_at = now()
        WHERE name = $1 AND CASE WHEN $2::text IS NULL THEN started_at IS NOT NULL ELSE tenant = $2 END`,
      [this.name, tenant ?? null],
    );
  }
}
