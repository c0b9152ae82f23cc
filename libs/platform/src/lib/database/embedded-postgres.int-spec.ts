import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { legacyTempDataDir } from './embedded-data-dir';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres';

jest.setTimeout(180_000);

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('embedded PostgreSQL', () => {
  it('given a test run, when started, then it answers queries on its own port and leaves nothing behind on stop', async () => {
    const server = await startEmbeddedPostgres({ persistent: false });
    try {
      expect(server.port).not.toBe(5432);
      expect(new URL(server.url).pathname).toBe('/postgres');
      expect(await query<{ one: number }>(server.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      expect(await query<{ encoding: string }>(server.url, `select pg_encoding_to_char(encoding) as encoding from pg_database where datname = 'postgres'`)).toEqual([{ encoding: 'UTF8' }]);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
    await server.stop(); // idempotent
  });

  it('given a persistent folder, when restarted, then it keeps the rework_ledger database and its data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rework-ledger-pg-spec-'));
    await chmod(dataDir, 0o755); // as root, the OS user postgres must reach it
    const port = await listen(0).then((probe) => new Promise<number>((resolve) => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    }));
    try {
      const first = await startEmbeddedPostgres({ persistent: true, dataDir, port });
      expect(new URL(first.url).pathname).toBe('/rework_ledger');
      await query(first.url, 'create table kept (id int); insert into kept values (42)');
      await first.stop();
      expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);

      const lines: string[] = [];
      const second = await startEmbeddedPostgres({ persistent: true, dataDir, port, onLog: (line) => lines.push(line) });
      try {
        expect(second.url).toBe(first.url);
        expect(await query<{ id: number }>(second.url, 'select id from kept')).toEqual([{ id: 42 }]);
        expect(lines.some((line) => line.includes('ready to accept connections'))).toBe(true);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('given its port is taken, when started persistently, then it fails naming EMBEDDED_PG_PORT', async () => {
    const blocker = await listen(0);
    const { port } = blocker.address() as { port: number };
    try {
      const attempt = startEmbeddedPostgres({ persistent: true, port, dataDir: join(tmpdir(), 'rework-ledger-pg-never-created') });
      await expect(attempt).rejects.toBeInstanceOf(EmbeddedPostgresError);
      await expect(attempt).rejects.toThrow(/Port \d+ .* already in use.*EMBEDDED_PG_PORT/s);
    } finally {
      blocker.close();
    }
  });

  it('given a cluster an earlier release kept in the temp folder, when started on the persistent folder, then it is moved there once with its data', async () => {
    const earlier = await mkdtemp(join(tmpdir(), 'rework-ledger-pg-earlier-'));
    const parent = await mkdtemp(join(tmpdir(), 'rework-ledger-pg-home-'));
    await chmod(earlier, 0o755); // as root, the OS user postgres must reach both
    await chmod(parent, 0o755);
    const dataDir = join(parent, 'rework-ledger');
    const port = await listen(0).then((probe) => new Promise<number>((resolve) => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    }));
    try {
      const first = await startEmbeddedPostgres({ persistent: true, dataDir: earlier, port });
      await query(first.url, 'create table kept (id int); insert into kept values (7)');
      await first.stop();

      const notices: string[] = [];
      const moved = await startEmbeddedPostgres({ persistent: true, dataDir, port, moveFrom: earlier, onNotice: (line) => notices.push(line) });
      try {
        expect(await query<{ id: number }>(moved.url, 'select id from kept')).toEqual([{ id: 7 }]);
        expect(moved.url).toBe(first.url); // the same cluster, so the same password
      } finally {
        await moved.stop();
      }
      expect(notices).toEqual([expect.stringMatching(new RegExp(`moved .* from the temp folder ${earlier} to ${dataDir}`))]);
      expect(existsSync(earlier)).toBe(false);

      // Once: the next start finds nothing to move and keeps the data.
      const again = await startEmbeddedPostgres({ persistent: true, dataDir, port, moveFrom: earlier, onNotice: (line) => notices.push(line) });
      try {
        expect(await query<{ id: number }>(again.url, 'select id from kept')).toEqual([{ id: 7 }]);
      } finally {
        await again.stop();
      }
      expect(notices).toHaveLength(1);
    } finally {
      await rm(earlier, { recursive: true, force: true });
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('names the temp folder of earlier releases after the checkout', () => {
    expect(legacyTempDataDir('/a/checkout')).toBe(legacyTempDataDir('/a/checkout'));
    expect(legacyTempDataDir('/a/checkout')).not.toBe(legacyTempDataDir('/another/checkout'));
    expect(legacyTempDataDir('/a/checkout').startsWith(join(tmpdir(), 'rework-ledger-pg-'))).toBe(true);
  });
});
