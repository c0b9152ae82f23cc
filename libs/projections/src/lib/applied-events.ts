import type { StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';

/** Keys of the events a read model has applied, kept beside its tables when the store can store an event twice. */
const APPLIED_EVENTS_TABLE = 'projection_applied_events';

/** In the read model's own schema, so that a rebuild starts with it empty and the swap carries it along. */
export async function createAppliedEventsTable(client: PoolClient, schema: string): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS "${schema}".${APPLIED_EVENTS_TABLE} (tenant text NOT NULL, source text NOT NULL, event_id text NOT NULL,
       PRIMARY KEY (tenant, source, event_id))`,
  );
}

/**
 * The events of a batch whose (tenant, source, id) this read model has not applied yet, now recorded as applied (a
 * store that may hold an event twice: EventStoreDB after a late retry).
 */
export async function firstTimeOnly(client: PoolClient, schema: string, events: readonly StoredEvent[]): Promise<StoredEvent[]> {
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
