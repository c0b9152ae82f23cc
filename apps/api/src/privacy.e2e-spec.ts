import type { INestApplication } from '@nestjs/common';
import { type CellCoordinates, cellKey, determinedCells, tableRelations } from '@rework-ledger/domain';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { createApiApp } from './create-api-app';
import { postEventsAndCatchUp } from './post-events.test-support';

/**
 * Privacy v2 through the API, as issue 14's attacker probed it: with a read key, every answer of a month, combined,
 * must not give a group of fewer than k (5) people exactly.
 */
let sequence = 0;
const generated = (employeeId: string, teamId: string, tool: string, taskType: string, day: number, model?: string) => ({
  specversion: '1.0',
  id: `privacy-${++sequence}`,
  source: 'urn:e2e:privacy',
  type: 'ai.output.generated',
  time: `2026-03-${String(day).padStart(2, '0')}T10:00:00Z`,
  data: { outputId: `out-${sequence}`, employeeId, teamId, tool, taskType, ...(model ? { model } : {}) },
});

/** Teams a (10), b (12), c (15) and d (2 people); one person of a also uses a rare tool; everyone codes, a few review. */
function organisation(): unknown[] {
  const events: unknown[] = [];
  const team = (name: string, size: number) => {
    for (let i = 0; i < size; i++) {
      for (let day = 2; day <= 20; day += 3) events.push(generated(`${name}-${i}`, name, 'copilot', 'coding', day, i % 2 === 0 ? 'gpt' : 'claude'));
      if (i < 6) events.push(generated(`${name}-${i}`, name, 'copilot', 'review', 21));
    }
  };
  team('a', 10);
  team('b', 12);
  team('c', 15);
  team('d', 2);
  for (let day = 3; day <= 9; day++) events.push(generated('a-0', 'a', 'rare-tool', 'coding', day));
  return events;
}

type Row = { group: string | null; outputs: number };
type Answer = { from: string; to: string; rows: Row[]; suppressed: null | { rows: number; outputs: number | null } };

describe('privacy v2 through GET /v1/metrics/rework (k = 5)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let reader: string;
  let admin: string;

  const get = async (query: string, key: string): Promise<Answer> => {
    const response = await fetch(`${baseUrl}/v1/metrics/rework?from=2026-03-01&to=2026-04-01${query}`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };

  /** Every cell of the month's protected tables, as the answers of one key show them (by key): the cells it can see. */
  const cellsSeenBy = async (key: string): Promise<Map<string, { coordinates: CellCoordinates; outputs: number }>> => {
    const seen = new Map<string, { coordinates: CellCoordinates; outputs: number }>();
    const add = (coordinates: CellCoordinates, row: Row) => seen.set(cellKey(coordinates), { coordinates, outputs: row.outputs });
    for (const row of (await get('', key)).rows) add({}, row);
    for (const dimension of ['team', 'tool', 'taskType', 'model'] as const) {
      for (const row of (await get(`&groupBy=${dimension}`, key)).rows) add({ [dimension]: row.group as string }, row);
    }
    for (const team of ['a', 'b', 'c', 'd']) {
      for (const dimension of ['tool', 'taskType', 'model'] as const) {
        for (const row of (await get(`&team=${team}&groupBy=${dimension}`, key)).rows) add({ team, [dimension]: row.group as string }, row);
      }
    }
    return seen;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      { databaseUrl: database.url, defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    const ingest = (await apiKeys.create('privacyco', ['ingest'], 'e2e ingest')).key;
    reader = (await apiKeys.create('privacyco', ['read'], 'e2e read')).key;
    admin = (await apiKeys.create('privacyco', ['admin'], 'e2e admin')).key;
    const events = organisation();
    await postEventsAndCatchUp(app, baseUrl, ingest, events);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given the total and the three big teams, when the big teams are subtracted from the total, then the 2-person team is not what remains', async () => {
    const total = (await get('', reader)).rows[0].outputs;
    const byTeam = await get('&groupBy=team', reader);
    const d = (await get('&team=d', admin)).rows[0].outputs;
    expect(byTeam.rows.map((row) => row.group)).not.toContain('d');
    const remainder = total - byTeam.rows.reduce((sum, row) => sum + row.outputs, 0);
    expect(remainder).not.toBe(d);
    // What remains is the `suppressed` sum: withheld teams, more than one, never the small team alone.
    expect(byTeam.suppressed?.rows).toBeGreaterThanOrEqual(2);
    if (byTeam.suppressed?.outputs !== null) expect(byTeam.suppressed?.outputs).toBe(remainder);
  });

  it('given the suppressed row, when one big team is subtracted from it, then no published figure gives the small team', async () => {
    const byTeam = await get('&groupBy=team', reader);
    const bigTeams = (await get('&groupBy=team', admin)).rows.filter((row) => row.group !== 'd');
    // The old rule showed (d + the next-smallest team) as `suppressed` and that team elsewhere; now the big team
    // withheld with d is published by no answer: not its total, nor its cells by tool, task type or model.
    const withheldBig = bigTeams.filter((row) => !byTeam.rows.some((shown) => shown.group === row.group));
    expect(withheldBig.length).toBeGreaterThanOrEqual(1);
    for (const big of withheldBig) {
      expect((await get(`&team=${big.group}`, reader)).rows).toEqual([]);
      for (const dimension of ['tool', 'taskType', 'model']) {
        const cells = await get(`&team=${big.group}&groupBy=${dimension}`, reader);
        // Its published cells never add up to the team: something of it is always withheld.
        expect(cells.suppressed?.rows ?? 0).toBeGreaterThan(0);
      }
    }
  });

  it("given a team's total and the same team filtered to its common tool, then their difference is not the one person on the rare tool", async () => {
    const teamTotal = await get('&team=a', reader);
    const common = await get('&team=a&tool=copilot', reader);
    // Both published would give (a, rare-tool) by subtraction: at least one is withheld.
    expect(teamTotal.rows.length + common.rows.length).toBeLessThan(2);
    expect((await get('&groupBy=tool', reader)).rows.map((row) => row.group)).not.toContain('rare-tool');
  });

  it('given every answer of the month a read key can get (overlapping groupings, filters), then no withheld cell is determined by the published ones', async () => {
    const everything = await cellsSeenBy(admin);
    const published = await cellsSeenBy(reader);
    // A published cell is the exact cell: the reader sees the admin's figure.
    for (const [key, cell] of published) expect(cell.outputs).toBe(everything.get(key)?.outputs);
    const withheld = new Set([...everything.keys()].filter((key) => !published.has(key)));
    expect(withheld.size).toBeGreaterThan(0);
    const cells = [...everything.values()].map((cell) => ({ coordinates: cell.coordinates, employees: 0, contribution: cell.outputs }));
    expect(determinedCells(tableRelations(cells), withheld)).toEqual([]);
  });

  it('given windows a day apart (adjacent periods), then both answer the same whole month: a day is never the difference of two answers', async () => {
    const url = (from: string, to: string) => `${baseUrl}/v1/metrics/rework?from=${from}&to=${to}&groupBy=team`;
    const answers = await Promise.all(
      [url('2026-03-01', '2026-03-21'), url('2026-03-01', '2026-03-22'), url('2026-03-02', '2026-03-22')].map(async (u) => (await fetch(u, { headers: { authorization: `Bearer ${reader}` } })).json()),
    );
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });
    // An admin still gets the window asked for.
    const exact = (await (await fetch(url('2026-03-02', '2026-03-22'), { headers: { authorization: `Bearer ${admin}` } })).json()) as Answer;
    expect(exact.from).toBe('2026-03-02T00:00:00.000Z');
  });

  it('given day and week buckets, then a read key gets the month cells again: one hierarchy, so no team is its month total minus its published days', async () => {
    // Tables protected per day and per month apart have different partners for a small team: the month's total minus
    // the month's published teams minus a partner summed from its published days would give the small team exactly.
    const byMonth = (await (await fetch(`${baseUrl}/v1/metrics/rework?from=2026-03-01&to=2026-04-01&groupBy=team&bucket=month`, { headers: { authorization: `Bearer ${reader}` } })).json()) as Answer & { bucket: string };
    for (const bucket of ['day', 'week']) {
      const answer = (await (await fetch(`${baseUrl}/v1/metrics/rework?from=2026-03-01&to=2026-04-01&groupBy=team&bucket=${bucket}`, { headers: { authorization: `Bearer ${reader}` } })).json()) as Answer & { bucket: string };
      expect(answer.bucket).toBe('month');
      expect(answer.rows).toEqual(byMonth.rows);
      expect(answer.suppressed).toEqual(byMonth.suppressed);
    }
    // An admin still gets days.
    const daily = (await (await fetch(`${baseUrl}/v1/metrics/rework?from=2026-03-01&to=2026-04-01&groupBy=team&bucket=day`, { headers: { authorization: `Bearer ${admin}` } })).json()) as Answer & { bucket: string };
    expect(daily.bucket).toBe('day');
  });

  it('given a span of more than 36 months, then a read key gets 400 (each month is protected on request), an admin an answer', async () => {
    const url = `${baseUrl}/v1/metrics/rework?from=2020-01-01&to=2026-04-01&groupBy=team`;
    const refused = await fetch(url, { headers: { authorization: `Bearer ${reader}` } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'REQUEST.INVALID_PARAMETER', field: 'from' });
    expect((await fetch(url, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
  });

  it('given filters the protected tables do not cross (tool × model), then the answer is withheld, and says why', async () => {
    const answer = await get('&tool=copilot&model=gpt', reader);
    expect(answer).toMatchObject({ rows: [], suppressed: { rows: 0, outputs: null, reason: 'WITHHELD.NOT_IN_PROTECTED_TABLES' } });
  });
});
