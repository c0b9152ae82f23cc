import type { ClientBase } from 'pg';

/**
 * Drops a throw-away database (a test's, a benchmark's) once its connections have closed, forcing after `waitMs`.
 * A pool's end() resolves before the sockets of the clients it discarded have closed; forcing at once terminates
 * them, and their clients report it as an unhandled error.
 */
export async function dropDatabaseWhenIdle(admin: ClientBase, name: string, waitMs = 2000): Promise<void> {
  for (let waited = 0; waited < waitMs; waited += 50) {
    const { rows } = await admin.query<{ open: number }>('SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1', [name]);
    if (rows[0].open === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
}
