import { type Migration, runMigrations } from '@rework-ledger/platform';
import type { Pool } from 'pg';

/** The LRS table: every statement received, whatever its verb, once per (tenant, statement id). */
export const XAPI_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'xapi_statements',
    sql: `CREATE TABLE xapi_statements (
            tenant text NOT NULL,
            statement_id uuid NOT NULL,
            verb text NOT NULL,
            statement jsonb NOT NULL,
            stored_at timestamptz NOT NULL,
            PRIMARY KEY (tenant, statement_id)
          );
          CREATE INDEX xapi_statements_stored ON xapi_statements (tenant, stored_at);`,
  },
];

/** Applies the LRS table's migrations (component 'xapi'). Idempotent. */
export async function migrateXapi(pool: Pool): Promise<void> {
  await runMigrations(pool, 'xapi', XAPI_MIGRATIONS);
}

export type StatementRecord = Readonly<{ id: string; verb: string; statement: Readonly<Record<string, unknown>>; storedAt: Date }>;

export type StoredStatement = Readonly<{ verb: string; statement: Record<string, unknown>; storedAt: Date }>;

/** What the LRS keeps of each statement. */
export interface XapiStatementStore {
  /**
   * Stores, in one statement, those whose id the tenant has not stored yet. A statement already stored is left as it
   * is (the first one wins); those are returned, as stored, by id.
   */
  save(tenant: string, records: readonly StatementRecord[]): Promise<Map<string, StoredStatement>>;
  /** One stored statement, for tests and future GET support. */
  find(tenant: string, statementId: string): Promise<StoredStatement | undefined>;
}

export const XAPI_STATEMENT_STORE = Symbol('XapiStatementStore');

/** The LRS table in PostgreSQL. Run {@link migrateXapi} first. */
export function createPostgresStatementStore(pool: Pool): XapiStatementStore {
  return {
    async save(tenant, records) {
      const earlier = new Map<string, StoredStatement>();
      if (records.length === 0) return earlier;
      const { rows: inserted } = await pool.query<{ statement_id: string }>(
        `INSERT INTO xapi_statements (tenant, statement_id, verb, statement, stored_at)
         SELECT $1, s.statement_id, s.verb, s.statement::jsonb, s.stored_at
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS s(statement_id, verb, statement, stored_at)
         ON CONFLICT (tenant, statement_id) DO NOTHING
         RETURNING statement_id::text`,
        [tenant, records.map((r) => r.id), records.map((r) => r.verb), records.map((r) => JSON.stringify(r.statement)), records.map((r) => r.storedAt.toISOString())],
      );
      const insertedIds = new Set(inserted.map((row) => row.statement_id));
      const others = records.filter((record) => !insertedIds.has(record.id)).map((record) => record.id);
      if (others.length === 0) return earlier;
      const { rows } = await pool.query<{ statement_id: string; verb: string; statement: Record<string, unknown>; stored_at: Date }>(
        'SELECT statement_id::text, verb, statement, stored_at FROM xapi_statements WHERE tenant = $1 AND statement_id = ANY($2::uuid[])',
        [tenant, others],
      );
      for (const row of rows) earlier.set(row.statement_id, { verb: row.verb, statement: row.statement, storedAt: new Date(row.stored_at) });
      return earlier;
    },

    async find(tenant, statementId) {
      const { rows } = await pool.query<{ verb: string; statement: Record<string, unknown>; stored_at: Date }>(
        'SELECT verb, statement, stored_at FROM xapi_statements WHERE tenant = $1 AND statement_id = $2',
        [tenant, statementId],
      );
      return rows[0] ? { verb: rows[0].verb, statement: rows[0].statement, storedAt: new Date(rows[0].stored_at) } : undefined;
    },
  };
}
