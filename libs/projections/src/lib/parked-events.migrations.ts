import type { Migration } from '@rework-ledger/platform';

export const PARKED_EVENTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'parked events',
    // `staged`: parked by a rebuild not yet swapped in; they replace the live rows (of the projection, or of the
    // tenant re-projected) at the swap. No payload is kept: the event stays in the store, under its key.
    sql: `
      CREATE TABLE projection_parked_events (
        projection text NOT NULL,
        staged boolean NOT NULL,
        tenant text NOT NULL,
        source text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        transaction_id bigint NOT NULL,
        global_position bigint NOT NULL,
        code text NOT NULL,
        message text NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, staged, tenant, source, event_id)
      );
      CREATE INDEX ON projection_parked_events (projection, tenant, parked_at DESC);`,
  },
];
