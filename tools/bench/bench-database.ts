import { dropDatabaseWhenIdle, startEmbeddedPostgres } from '@rework-ledger/platform';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A throw-away database for one benchmark run: on the server of DATABASE_URL when set (the machine's PostgreSQL),
 * else on an embedded server started for the run. Dropped at the end.
 */
export async function createBenchDatabase(): Promise<{ url: string; server: string; drop(): Promise<void> }> {
  let adminUrl = process.env['DATABASE_URL'];
  let stopServer: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres({ persistent: false });
    adminUrl = embedded.url;
    stopServer = () => embedded.stop();
  }
  const name = `rl_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    server: `PostgreSQL ${rows[0].server_version}${stopServer ? ' (embedded)' : ` at ${url.host}`}`,
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await dropDatabaseWhenIdle(client, name);
      await client.end();
      await stopServer?.();
    },
  };
}
