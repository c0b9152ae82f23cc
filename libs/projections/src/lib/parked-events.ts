import type { Position, StoredEvent } from '@rework-ledger/event-store';
import type { Pool, PoolClient } from 'pg';

/**
 * Events a projection could not apply, set aside so that it moves on (one tenant's bad event must not stop every
 * tenant's read model). A row names the event (tenant, source, id, position) and why (a stable code and a message
 * without payload); the event itself stays in the store. A parked event is retried by re-projecting its tenant once
 * the cause is fixed, never applied out of order.
 */
export type ParkedEvent = Readonly<{
  projection: string;
  tenant: string;
  source: string;
  eventId: string;
  type: string;
  position: Position;
  code: string;
  message: string;
}>;

/** The last parked event, named by its own key (source and id), never by its store-wide position (other tenants' volume). */
export type LastParked = Readonly<{ code: string; message: string; parkedAt: string; source: string; eventId: string }>;
export type ParkedSummary = Readonly<{ count: number; last: LastParked | null }>;

export const NOTHING_PARKED: ParkedSummary = Object.freeze({ count: 0, last: null });

export function parkedEventOf(projection: string, event: StoredEvent, reason: Readonly<{ code: string; message: string }>): ParkedEvent {
  return { projection, tenant: event.tenant, source: event.source, eventId: event.id, type: event.type, position: event.position, ...reason };
}

/**
 * Records parked events in the caller's transaction (the one that moves the checkpoint past them). `staged`: parked
 * by a rebuild, kept apart until its swap.
 */
export async function recordParked(client: PoolClient, parked: readonly ParkedEvent[], staged: boolean): Promise<void> {
  if (parked.length === 0) return;
  await client.query(
    `INSERT INTO projection_parked_events
       (projection, staged, tenant, source, event_id, event_type, transaction_id, global_position, code, message)
     SELECT p, $2, t, s, id, ty, tx, gp, c, m
       FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[])
         AS u(p, t, s, id, ty, tx, gp, c, m)
     ON CONFLICT (projection, staged, tenant, source, event_id) DO UPDATE
       SET code = EXCLUDED.code, message = EXCLUDED.message, parked_at = now()`,
    [
      parked.map((p) => p.projection),
      staged,
      parked.map((p) => p.tenant),
      parked.map((p) => p.source),
      parked.map((p) => p.eventId),
      parked.map((p) => p.type),
      parked.map((p) => p.position.transactionId.toString()),
      parked.map((p) => p.position.globalPosition.toString()),
      parked.map((p) => p.code),
      parked.map((p) => p.message),
    ],
  );
}

/** Forgets what an interrupted rebuild had staged (of the projection, or of one tenant): a rebuild starts from zero. */
export async function discardStagedParked(client: PoolClient, projection: string, tenant?: string): Promise<void> {
  await client.query(`DELETE FROM projection_parked_events WHERE projection = $1 AND staged AND ($2::text IS NULL OR tenant = $2)`, [projection, tenant ?? null]);
}

/**
 * At a rebuild's swap, in its transaction: what the rebuild parked replaces what was parked before (every tenant's
 * for a full rebuild, one tenant's for a tenant's re-projection).
 */
export async function promoteStagedParked(client: PoolClient, projection: string, tenant?: string): Promise<void> {
  await client.query(`DELETE FROM projection_parked_events WHERE projection = $1 AND NOT staged AND ($2::text IS NULL OR tenant = $2)`, [projection, tenant ?? null]);
  await client.query(`UPDATE projection_parked_events SET staged = false WHERE projection = $1 AND staged AND ($2::text IS NULL OR tenant = $2)`, [projection, tenant ?? null]);
}

/** Each tenant's parked events of a projection (one tenant's when named): how many, and the last one's reason. */
export async function parkedByTenant(pool: Pool, projection: string, tenant?: string): Promise<Map<string, ParkedSummary>> {
  const { rows } = await pool.query<{ tenant: string; count: string; code: string; message: string; parked_at: Date; source: string; event_id: string }>(
    `SELECT DISTINCT ON (tenant) tenant, count(*) OVER (PARTITION BY tenant) AS count, code, message, parked_at, source, event_id
       FROM projection_parked_events
      WHERE projection = $1 AND NOT staged AND ($2::text IS NULL OR tenant = $2)
      ORDER BY tenant, parked_at DESC, transaction_id DESC, global_position DESC`,
    [projection, tenant ?? null],
  );
  return new Map(
    rows.map((row) => [
      row.tenant,
      { count: Number(row.count), last: { code: row.code, message: row.message, parkedAt: row.parked_at.toISOString(), source: row.source, eventId: row.event_id } },
    ]),
  );
}
