import type { Migration } from '@rework-ledger/platform';

export const PROJECTIONS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'projection checkpoints',
    sql: `
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        transaction_id bigint NOT NULL DEFAULT 0,
        global_position bigint NOT NULL DEFAULT 0,
        events_applied bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        rebuild_requested_at timestamptz,
        rebuild_started_at timestamptz,
        rebuild_events_applied bigint,
        last_rebuilt_at timestamptz,
        last_error text
      );`,
  },
  {
    version: 2,
    name: 'projection versions',
    sql: `ALTER TABLE projection_checkpoints ADD COLUMN projection_version integer;`,
  },
  {
    version: 3,
    name: 'the event store a checkpoint belongs to',
    sql: `ALTER TABLE projection_checkpoints ADD COLUMN event_store text;`,
  },
  {
    version: 4,
    name: 're-projections of one tenant',
    // One row per projection and tenant: a pending request (requested_at), its progress, and when it last completed.
    sql: `
      CREATE TABLE projection_tenant_rebuilds (
        name text NOT NULL,
        tenant text NOT NULL,
        requested_at timestamptz,
        started_at timestamptz,
        events_applied bigint,
        last_rebuilt_at timestamptz,
        PRIMARY KEY (name, tenant)
      );`,
  },
];
