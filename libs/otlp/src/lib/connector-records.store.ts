import { type Migration, runMigrations } from '@rework-ledger/platform';
import type { Pool } from 'pg';

/**
 * What each tenant's connectors ignored or rejected, by reason: running counts (what `GET /v1/connectors` and the
 * connect page show a tenant; /metrics keeps only platform-wide counters).
 */
export const CONNECTOR_RECORDS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'connector_records',
    sql: `CREATE TABLE connector_records (
            tenant text NOT NULL,
            connector text NOT NULL,
            signal text NOT NULL,
            outcome text NOT NULL,
            reason text NOT NULL,
            count bigint NOT NULL,
            last_seen_at timestamptz NOT NULL,
            PRIMARY KEY (tenant, connector, signal, outcome, reason)
          );`,
  },
];

export type ConnectorRecordCount = Readonly<{ connector: string; signal: string; outcome: string; reason: string; count: number; lastSeenAt: string }>;
export type ConnectorTallyLine = Readonly<{ connector: string; signal: string; outcome: string; reason: string; count: number }>;

export interface ConnectorRecordsStore {
  /** Adds these counts to the tenant's, in one statement. */
  add(tenant: string, lines: readonly ConnectorTallyLine[], at: Date): Promise<void>;
  /** The tenant's counts, by connector, signal, outcome and reason. */
  list(tenant: string): Promise<ConnectorRecordCount[]>;
}

export const CONNECTOR_RECORDS_STORE = Symbol('ConnectorRecordsStore');

/** Applies the table's migrations (component 'connectors'). Idempotent. */
export async function migrateConnectorRecords(pool: Pool): Promise<void> {
  await runMigrations(pool, 'connectors', CONNECTOR_RECORDS_MIGRATIONS);
}

export function createPostgresConnectorRecordsStore(pool: Pool): ConnectorRecordsStore {
  return {
    async add(tenant, lines, at) {
      const kept = lines.filter((line) => line.count > 0);
      if (kept.length === 0) return;
      await pool.query(
        `INSERT INTO connector_records (tenant, connector, signal, outcome, reason, count, last_seen_at)
         SELECT $1, connector, signal, outcome, reason, count, $7
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS t(connector, signal, outcome, reason, count)
         ON CONFLICT (tenant, connector, signal, outcome, reason)
         DO UPDATE SET count = connector_records.count + EXCLUDED.count, last_seen_at = GREATEST(connector_records.last_seen_at, EXCLUDED.last_seen_at)`,
        [tenant, kept.map((l) => l.connector), kept.map((l) => l.signal), kept.map((l) => l.outcome), kept.map((l) => l.reason), kept.map((l) => l.count), at],
      );
    },
    async list(tenant) {
      const { rows } = await pool.query<{ connector: string; signal: string; outcome: string; reason: string; count: string; last_seen_at: Date }>(
        `SELECT connector, signal, outcome, reason, count, last_seen_at FROM connector_records WHERE tenant = $1 ORDER BY connector, signal, outcome, reason`,
        [tenant],
      );
      return rows.map((row) => ({ connector: row.connector, signal: row.signal, outcome: row.outcome, reason: row.reason, count: Number(row.count), lastSeenAt: row.last_seen_at.toISOString() }));
    },
  };
}
