import { type FakeGithub, COPILOT_FIXTURES, startFakeGithub } from '@rework-ledger/copilot/testing';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion/core';
import { createPool } from '@rework-ledger/platform';
import { createProjectionRunner, type Projection } from '@rework-ledger/projections';
import { fromPgPool, queryUsageMetrics, reworkMetricsProjection, usageProjection } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { UsageError } from '../command';
import { importCopilotCommand, importDays } from './import-copilot.command';

jest.setTimeout(60_000);

const TOKEN = 'ghp_cli_test';
const TENANT = 'acme';
const MARCH = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
/** What fixtures/README.md says each day sums to. */
const FIXTURE_SUMS = {
  '2026-03-02': { requests: 20, suggestions: 67, acceptances: 39, linesSuggested: 260, linesAccepted: 137, credits: 4.75, activeUsers: 4 },
  '2026-03-04': { requests: 6, suggestions: 15, acceptances: 11, linesSuggested: 59, linesAccepted: 35, credits: 1.25, activeUsers: 2 },
};

describe('cli import copilot', () => {
  let database: TestDatabase;
  let printed = '';
  const serverUrl = process.env['DATABASE_URL'];
  let pool: Pool;
  let github: FakeGithub;
  const token = process.env['GITHUB_TOKEN'];
  const lastSummary = () => JSON.parse(printed.trim().split('\n').pop() as string);
  const importDaysOf = (since: string, until: string, extra: Record<string, string | boolean> = {}) =>
    importCopilotCommand.run({ org: 'acme', tenant: TENANT, since, until, 'base-url': github.url, 'no-progress': true, ...extra }, []);

  /** Brings the projections up to date with the event store (what the API's runners do). */
  async function catchUp(projections: readonly Projection[]): Promise<void> {
    const store = createPostgresEventStore({ pool });
    try {
      for (const projection of projections) {
        const runner = createProjectionRunner({ pool, store, projection: projection as Projection, idlePollMs: 20 });
        runner.start();
        await runner.waitUntilCaughtUp(30_000);
        await runner.stop();
      }
    } finally {
      await store.close();
    }
  }

  /** The usage metrics per day of a tenant, as GET /v1/metrics/usage computes them. */
  async function usageByDay(tenant = TENANT, filters = {}) {
    await catchUp([reworkMetricsProjection, usageProjection]);
    const rows = await queryUsageMetrics(fromPgPool(pool), { tenant, ...MARCH, bucket: 'day', privacyMinGroupSize: 1, filters });
    return Object.fromEntries(
      rows.map((row) => [
        (row.bucket as string).slice(0, 10),
        { requests: row.requests, suggestions: row.suggestions, acceptances: row.acceptances, linesSuggested: row.linesSuggested, linesAccepted: row.linesAccepted, credits: row.credits, activeUsers: row.activeUsers },
      ]),
    );
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    process.env['DATABASE_URL'] = database.url;
    process.env['GITHUB_TOKEN'] = TOKEN;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((printed += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    github = await startFakeGithub({ token: TOKEN });
    pool = createPool(database.url, { max: 6 });
    await migrateAll(pool);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env['GITHUB_TOKEN'] = token;
    process.env['DATABASE_URL'] = serverUrl;
    await pool.end();
    await github.close();
    await database.drop();
  });

  it('given three days (one without a report, one answered 429 first), then each user-day is stored once and the usage metrics equal the report sums', async () => {
    github.throttleOnce('2026-03-04', 1);
    await importDaysOf('2026-03-02', '2026-03-04');
    expect(lastSummary()).toMatchObject({ days: 3, missingDays: ['2026-03-03'], links: 3, rows: 7, events: 6, accepted: 6, duplicates: 0, rejected: {}, skipped: { 'no-usage-figures': 1 }, users: 4 });
    expect(lastSummary()).not.toHaveProperty('linkedUsers');
    expect(github.requests.filter((request) => request.status === 429)).toHaveLength(1);
    expect(await usageByDay()).toEqual(FIXTURE_SUMS);
  });

  it("given a github identity link sent after the import, then the login's usage is re-attributed to the employee, and the sums do not change", async () => {
    const ALICE_DAYS = {
      '2026-03-02': { requests: 12, suggestions: 40, acceptances: 25, linesSuggested: 180, linesAccepted: 95, credits: 3.5, activeUsers: 1 },
      '2026-03-04': { requests: 4, suggestions: 10, acceptances: 6, linesSuggested: 44, linesAccepted: 20, credits: 0.75, activeUsers: 1 },
    };
    // Unlinked, the login is the person.
    expect(await usageByDay(TENANT, { employee: 'alice-dev' })).toEqual(ALICE_DAYS);
    expect(await usageByDay(TENANT, { employee: 'e-alice' })).toEqual({});
    const store = createPostgresEventStore({ pool });
    const link = { specversion: '1.0', id: 'link-alice', source: 'urn:directory', type: 'employee.identity_linked', time: '2026-01-01T00:00:00Z', data: { employeeId: 'e-alice', system: 'github', externalId: 'Alice-Dev' } };
    expect((await ingestEvents(store, TENANT, [link])).accepted).toBe(1);
    await store.close();
    expect(await usageByDay(TENANT, { employee: 'e-alice' })).toEqual(ALICE_DAYS);
    expect(await usageByDay(TENANT, { employee: 'alice-dev' })).toEqual({});
    expect(await usageByDay()).toEqual(FIXTURE_SUMS);
  });

  it('given the same import again, then nothing is stored and the metrics do not change', async () => {
    const before = Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    await importDaysOf('2026-03-02', '2026-03-04');
    expect(lastSummary()).toMatchObject({ events: 6, accepted: 0, duplicates: 6 });
    expect(Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n)).toBe(before);
    expect(await usageByDay()).toEqual(FIXTURE_SUMS);
  });

  it('given GitHub revised a day, then the revised row replaces the earlier one and the rest are duplicates', async () => {
    const day = '2026-03-04';
    const original = readFileSync(join(COPILOT_FIXTURES, `users-1-day.${day}.part-1.ndjson`), 'utf8');
    const [alice, bob] = original.trim().split('\n');
    github.revise(day, 1, `${alice}\n${JSON.stringify({ ...JSON.parse(bob), loc_added_sum: 5 })}\n`);
    await importDaysOf(day, day);
    expect(lastSummary()).toMatchObject({ events: 2, accepted: 1, duplicates: 1 });
    expect((await usageByDay())[day]).toEqual({ ...FIXTURE_SUMS[day], linesAccepted: 25 });
  });

  it('given a downloaded report file, then it imports it offline with the same mapping', async () => {
    await importCopilotCommand.run({ org: 'acme', tenant: 'offline', file: join(COPILOT_FIXTURES, 'users-1-day.2026-03-02.part-1.ndjson'), 'no-progress': true }, []);
    expect(lastSummary()).toMatchObject({ rows: 2, events: 2, accepted: 2, users: 2 });
    expect((await usageByDay('offline'))['2026-03-02']).toEqual({ requests: 12, suggestions: 54, acceptances: 34, linesSuggested: 240, linesAccepted: 126, credits: 3.5, activeUsers: 2 });
  });

  describe('through the API (--url, --api-key)', () => {
    let api: Server;
    let url: string;
    const posted: { headers: IncomingHttpHeaders; events: { id: string; data: Record<string, unknown> }[] }[] = [];

    beforeAll(async () => {
      api = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          const events = JSON.parse(body) as { id: string; data: Record<string, unknown> }[];
          posted.push({ headers: request.headers, events });
          response.writeHead(202, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ accepted: events.length, duplicates: 0, rejected: [] }));
        });
      });
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      const address = api.address();
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(() => new Promise((resolve) => api.close(resolve)));

    it('given --url, then it posts the facts with the key, no tenant and no database needed; logins are the employee ids, lower case', async () => {
      await importCopilotCommand.run({ enterprise: 'acme', since: '2026-03-02', until: '2026-03-02', 'base-url': github.url, url, 'api-key': 'rl_ingest_key', batch: '3', 'no-progress': true }, []);
      expect(lastSummary()).toMatchObject({ scope: 'enterprise acme', events: 4, accepted: 4 });
      expect(posted.map((request) => request.events.length)).toEqual([3, 1]);
      expect(posted[0].headers).toMatchObject({ authorization: 'Bearer rl_ingest_key', 'content-type': 'application/cloudevents-batch+json' });
      expect(posted.flatMap((request) => request.events.map((event) => event.data['employeeId']))).toEqual(['alice-dev', 'bob', 'carol', 'dave']);
      expect(posted[0].events[0].data['usageKey']).toBe('github-copilot/enterprises/acme/alice-dev/2026-03-02');
    });
  });

  it.each([
    [{ tenant: TENANT }, 'name the report owner: --org <org> or --enterprise <enterprise> (one of them)'],
    [{ tenant: TENANT, org: 'a', enterprise: 'b' }, 'name the report owner: --org <org> or --enterprise <enterprise> (one of them)'],
    [{ org: 'acme', since: '2026-03-02' }, '--tenant is required when writing through the database (or write through the API: --url and --api-key)'],
    [{ org: 'acme', tenant: TENANT, since: '2026-3-2' }, '--since takes a day as YYYY-MM-DD (got 2026-3-2)'],
    [{ org: 'acme', tenant: TENANT, since: '2026-03-05', until: '2026-03-02' }, '--since (2026-03-05) is after --until (2026-03-02)'],
  ])('given %p, then it refuses with a usage error', async (options, message) => {
    await expect(importCopilotCommand.run(options, [])).rejects.toEqual(new UsageError(message));
  });

  it('given no GITHUB_TOKEN, then it asks for one (unless a file is imported)', async () => {
    delete process.env['GITHUB_TOKEN'];
    try {
      await expect(importCopilotCommand.run({ org: 'acme', tenant: TENANT }, [])).rejects.toEqual(new UsageError('set GITHUB_TOKEN to a token that can read Copilot metrics (or import a report --file)'));
    } finally {
      process.env['GITHUB_TOKEN'] = TOKEN;
    }
  });

  it('given no --since, then the last 28 complete days (until yesterday) are imported', () => {
    const days = importDays({}, Date.parse('2026-03-29T15:00:00Z'));
    expect([days.length, days[0], days[27]]).toEqual([28, '2026-03-01', '2026-03-28']);
  });
});
