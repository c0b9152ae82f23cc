import { createPostgresEventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion';
import { createPool } from '@rework-ledger/platform';
import { createProjectionRunner } from '@rework-ledger/projections';
import { reworkMetricsProjection } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../command';
import { METRICS_CSV_COLUMNS, metricsExportCommand } from './metrics-export.command';

/** Reads the CSV back (its values hold no commas or quotes). */
const parse = (csv: string, _options: { columns: true }): Record<string, string>[] => {
  const [header, ...lines] = csv.trim().split('\n');
  const columns = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, index) => [columns[index], value])));
};

let sequence = 0;
/** `employees` people of a team with one output each on 2 March 2026, the first `reworked` of them corrected (15 min). */
const team = (teamId: string, employees: number, reworked: number) =>
  Array.from({ length: employees }, (_, i) => {
    const base = { specversion: '1.0', source: 'urn:cli-test', time: '2026-03-02T10:00:00Z' };
    const data = { outputId: `${teamId}-${i}`, employeeId: `${teamId}-e${i}` };
    return [
      { ...base, id: `e-${++sequence}`, type: 'ai.output.generated', data: { ...data, teamId, tool: 'copilot', taskType: 'coding', minutesSavedEstimate: 30 } },
      ...(i < reworked ? [{ ...base, id: `e-${++sequence}`, type: 'ai.output.corrected', data: { ...data, minutesSpent: 15 } }] : []),
    ];
  }).flat();

describe('cli metrics export', () => {
  let database: TestDatabase;
  const serverUrl = process.env['DATABASE_URL'];
  let printed = '';
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    process.env['DATABASE_URL'] = database.url;
    const pool = createPool(database.url, { max: 6 });
    await migrateAll(pool);
    const store = createPostgresEventStore({ pool });
    await ingestEvents(store, 'acme', [...team('platform', 6, 3), ...team('sales', 5, 1), ...team('tiny', 2, 2)]);
    const runner = createProjectionRunner({ pool, store, projection: reworkMetricsProjection, idlePollMs: 50 });
    runner.start();
    await runner.waitUntilCaughtUp(20_000);
    await runner.stop();
    await store.close();
    await pool.end();
    dir = mkdtempSync(join(tmpdir(), 'metrics-export-'));
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((printed += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  }, 60_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env['DATABASE_URL'] = serverUrl;
    if (dir) rmSync(dir, { recursive: true, force: true });
    await database.drop();
  });

  it('given a grouped query, then it writes the rows as CSV, small groups summed into one suppressed row', async () => {
    const out = join(dir, 'by-team.csv');
    await metricsExportCommand.run({ tenant: 'acme', groupBy: 'team', from: '2026-03-01', to: '2026-04-01', out }, []);
    const records = parse(readFileSync(out, 'utf8'), { columns: true });
    expect(Object.keys(records[0])).toEqual([...METRICS_CSV_COLUMNS]);
    // tiny (2 people) is suppressed; alone it would expose 2 people, so the next-smallest team (sales) goes too.
    expect(records.map((record) => [record['group'], record['outputs'], record['reworkedOutputs'], record['lostHours']])).toEqual([
      ['platform', '6', '3', '0.75'],
      ['(suppressed: 2 groups)', '7', '3', '0.75'],
    ]);
    expect(Number(records[0]['reworkRate'])).toBeCloseTo(0.5, 10);
  });

  it('given no --all-groups, then it writes the protected answer of an API caller without admin: whole months, a small team withheld with its sum', async () => {
    // A window of an afternoon, after the outputs of 2 March 10:00: the protected answer covers the whole month.
    printed = '';
    await metricsExportCommand.run({ tenant: 'acme', groupBy: 'team', from: '2026-03-02T12:00:00Z', to: '2026-03-03' }, []);
    expect(parse(printed, { columns: true }).map((record) => [record['group'], record['outputs']])).toEqual([
      ['platform', '6'],
      ['(suppressed: 2 groups)', '7'],
    ]);
    printed = '';
    await metricsExportCommand.run({ tenant: 'acme', team: 'tiny', from: '2026-03-01', to: '2026-04-01' }, []);
    expect(parse(printed, { columns: true }).map((record) => [record['group'], record['outputs']])).toEqual([['(suppressed: 1 groups)', '']]);
  });

  it('given --all-groups and a weekly bucket, then every group is written, to stdout without --out', async () => {
    printed = '';
    await metricsExportCommand.run({ tenant: 'acme', groupBy: 'team', bucket: 'week', from: '2026-03-01', to: '2026-04-01', 'all-groups': true }, []);
    const records = parse(printed, { columns: true });
    expect(records.map((record) => [record['group'], record['bucket'], record['outputs']])).toEqual([
      ['platform', '2026-03-02T00:00:00.000Z', '6'],
      ['sales', '2026-03-02T00:00:00.000Z', '5'],
      ['tiny', '2026-03-02T00:00:00.000Z', '2'],
    ]);
  });

  it.each([
    [{}, '--tenant is required'],
    [{ tenant: 'acme', groupBy: 'planet' }, '--groupBy takes team, tool, taskType, model, employee (got planet)'],
    [{ tenant: 'acme', from: 'yesterday' }, '--from takes a date or an RFC 3339 time (got yesterday)'],
    [{ tenant: 'acme', from: '2026-04-01', to: '2026-03-01' }, '--from must be before --to'],
  ])('given %o, then it refuses with a usage error', async (options, message) => {
    await expect(metricsExportCommand.run(options, [])).rejects.toEqual(new UsageError(message));
  });
});
