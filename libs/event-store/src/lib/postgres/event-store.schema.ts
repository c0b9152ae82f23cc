import { type Migration, runMigrations } from '@rework-ledger/platform';
import type { Pool } from 'pg';

/** The channel an append notifies (in its own transaction) so that subscriptions wake up. */
export const EVENT_STORE_CHANNEL = 'rework_ledger_events';

/**
 * `events` is the append-only log. Its global order is (transaction_id, global_position): identities are taken in
 * insert order but transactions commit in any order, so readers only go up to the oldest transaction in flight.
 * `streams` holds each stream's current version; appends lock its rows for optimistic concurrency.
 */
export const eventStoreMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events and streams',
    sql: `
      CREATE TABLE streams (
        tenant    text   NOT NULL,
        stream_id text   NOT NULL,
        version   bigint NOT NULL CHECK (version >= 0),
        PRIMARY KEY (tenant, stream_id)
      );

      CREATE TABLE events (
        global_position bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        tenant          text        NOT NULL,
        stream_id       text        NOT NULL,
        stream_version  bigint      NOT NULL CHECK (stream_version >= 1),
        event_id        text        NOT NULL,
        source          text        NOT NULL,
        type            text        NOT NULL,
        time            timestamptz NOT NULL,
        subject         text,
        data            jsonb       NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_identity_key UNIQUE (tenant, source, event_id),
        CONSTRAINT events_stream_version_key UNIQUE (tenant, stream_id, stream_version)
      );

      CREATE INDEX events_global_order_idx ON events (transaction_id, global_position);
      CREATE INDEX events_tenant_global_order_idx ON events (tenant, transaction_id, global_position);
    `,
  },
  {
    version: 2,
    name: 'no per-tenant global order index',
    // Every append paid for it; only occasional tenant-filtered reads used it (they now scan the global order).
    // A deployment that shards projection runners by tenant can add it back.
    sql: `DROP INDEX IF EXISTS events_tenant_global_order_idx;`,
  },
  {
    version: 3,
    name: 'the stream position is the primary key',
    // (tenant, stream_id, stream_version) identifies an event row and already has its unique index: making it the
    // primary key drops the separate index on global_position, which no read uses (they go by the global order index).
    sql: `ALTER TABLE events DROP CONSTRAINT events_pkey;
          ALTER TABLE events DROP CONSTRAINT events_stream_version_key;
          ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (tenant, stream_id, stream_version);`,
  },
];

/** Creates or upgrades the event store's tables (component `event-store`). Safe to call from processes starting together. */
export async function migrateEventStore(pool: Pool): Promise<void> {
  await runMigrations(pool, 'event-store', eventStoreMigrations);
}
