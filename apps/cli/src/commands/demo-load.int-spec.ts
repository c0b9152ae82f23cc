import { createPostgresEventStore } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { useCliTestDatabase } from '../cli.test-support';
import { UsageError } from '../command';
import { demoLoadCommand, type DemoLoadSummary } from './demo-load.command';

describe('cli demo load', () => {
  const cli = useCliTestDatabase();
  const lastSummary = (): DemoLoadSummary => JSON.parse(cli.printed.trim().split('\n').pop() as string);

  it('given a preset and a size, then it appends the whole organisation for the tenant, and nothing twice when run again', async () => {
    await demoLoadCommand.run({ preset: 'small', tenant: 'acme', employees: '6' }, []);
    const first = lastSummary();
    expect(first).toMatchObject({ tenant: 'acme', preset: 'small', employees: 6, duplicates: 0 });
    expect(first.accepted).toBe(first.events);
    expect(first.events).toBeGreaterThan(500);

    const pool = createPool(cli.database.url, { max: 1 });
    const store = createPostgresEventStore({ pool });
    try {
      expect(Number((await pool.query(`SELECT count(*) AS n FROM events WHERE tenant = 'acme'`)).rows[0].n)).toBe(first.events);
      // A reader sees events once no older transaction is in flight on the server (any database of it: another test
      // run's, say), so the first read may come back empty for a moment.
      let [event] = await store.readAll({ tenant: 'acme', limit: 1 });
      for (const deadline = Date.now() + 30_000; event === undefined && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        [event] = await store.readAll({ tenant: 'acme', limit: 1 });
      }
      expect(event.tenant).toBe('acme');
    } finally {
      await store.close();
      await pool.end();
    }

    await demoLoadCommand.run({ preset: 'small', tenant: 'acme', employees: '6' }, []);
    expect(lastSummary()).toMatchObject({ events: first.events, accepted: 0, duplicates: first.events });
  }, 120_000);

  it.each([
    [{ preset: 'huge' }, '--preset takes demo, small, bench (got huge)'],
    [{ employees: '1' }, '--employees takes a whole number from 2 to 1,000,000 (got 1)'],
    [{ batch: '0' }, '--batch takes a whole number from 1 to 10,000 (got 0)'],
  ])('given %o, then it refuses with a usage error', async (options, message) => {
    await expect(demoLoadCommand.run(options, [])).rejects.toEqual(new UsageError(message));
  });
});
