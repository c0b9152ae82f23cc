import type { Pool } from 'pg';

/** One forward-only schema change of a component. Versions of a component are applied in ascending order. */
export type Migration = Readonly<{ version: number; name: string; sql: string }>;

// Any constant works: it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK_KEY = 7_204_211;

/**
 * Applies the component's migrations that this database has not seen yet, each in its own transaction,
 * under an advisory lock so that processes starting together do not race.
 */
export async function runMigrations(pool: Pool, component: string, migrations: readonly Migration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         component text NOT NULL, version integer NOT NULL, name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`,
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE component = $1', [component]);
    const applied = new Set(rows.map((row) => row.version));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)', [component, migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined); // the migration's own error is the one to report
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
