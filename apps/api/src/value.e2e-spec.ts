import type { INestApplication } from '@nestjs/common';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE, TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { createApiApp } from './create-api-app';
import { postEventsAndCatchUp } from './post-events.test-support';

/**
 * Net AI value through the API: outputs, rework, assignments and usage posted to /v1/events, then GET /v1/metrics/value
 * with an admin key (exact) and a read key (both sources' protected tables, k = 2). Every figure below is worked out by
 * hand from these events: tenant default 60 EUR/h, coding saves 30 minutes when not estimated.
 */
let sequence = 0;
const event = (type: string, time: string, data: Record<string, unknown>) => ({ specversion: '1.0', id: `value-${++sequence}`, source: 'urn:e2e:value', type, time, data });
const assigned = (employeeId: string, teamId: string, extra: Record<string, unknown> = {}) =>
  event('employee.assigned', '2026-01-01T00:00:00Z', { employeeId, teamId, effectiveFrom: '2026-01-01T00:00:00Z', ...extra });
const generated = (outputId: string, employeeId: string, tool: string, extra: Record<string, unknown> = {}) =>
  event('ai.output.generated', '2026-03-02T10:00:00Z', { outputId, employeeId, tool, taskType: 'coding', ...extra });
const rework = (kind: string, outputId: string, employeeId: string, minutesSpent: number) => event(`ai.output.${kind}`, '2026-03-02T12:00:00Z', { outputId, employeeId, minutesSpent });
const usage = (employeeId: string, teamId: string, tool: string, figures: Record<string, unknown>) =>
  event('ai.usage.recorded', '2026-03-03T10:00:00Z', { employeeId, teamId, tool, day: '2026-03-02', usageKey: `${tool}/${employeeId}`, ...figures });

type Row = {
  group: string | null;
  bucket: string | null;
  savedValue: number;
  lostCost: number;
  spend: number;
  spendInOtherCurrencies: { currency: string; amount: number }[];
  netAiValue: number | null;
  netAiValueUnavailable: { reason: string; currencies: string[] } | null;
};
type Answer = { from: string; to: string; groupBy: string | null; bucket: string | null; currency: string; rows: Row[]; suppressed: { rows: number } | null };

describe('GET /v1/metrics/value (Net AI value)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let reader: string;
  let admin: string;

  const request = (query: string, key: string) => fetch(`${baseUrl}/v1/metrics/value?from=2026-03-01&to=2026-04-01${query}`, { headers: { authorization: `Bearer ${key}` } });
  const get = async (query: string, key: string): Promise<Answer> => {
    const response = await request(query, key);
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };
  const figures = (row: Row | undefined) => row && [row.group, row.savedValue, row.lostCost, row.spend, row.netAiValue];

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      { databaseUrl: database.url, defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 2, minutesSavedByTaskType: { ...DEFAULT_MINUTES_SAVED_BY_TASK_TYPE, coding: 30 } } },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    const ingest = (await apiKeys.create('valueco', ['ingest'], 'e2e ingest')).key;
    reader = (await apiKeys.create('valueco', ['read'], 'e2e read')).key;
    admin = (await apiKeys.create('valueco', ['read', 'admin'], 'e2e admin')).key;
    // A Copilot seat: 10 EUR per active user and month.
    await app.get<TenantSettingsStore>(TENANT_SETTINGS).update('valueco', { seatCosts: [{ tool: 'github-copilot', seatCost: 10, currency: 'EUR' }] });
    await postEventsAndCatchUp(app, baseUrl, ingest, [
      assigned('a1', 'data', { hourlyCost: 90 }),
      assigned('a2', 'data'),
      assigned('b1', 'ops'),
      assigned('b2', 'ops'),
      ...['c1', 'c2', 'c3'].map((id) => assigned(id, 'sales')),
      // data: a1's 40 estimated minutes at a1's 90/h = 60; a2 (no cost), unestimated: coding's 30 minutes at 60/h = 30.
      generated('o1', 'a1', 'github-copilot', { minutesSavedEstimate: 40 }),
      generated('o2', 'a2', 'github-copilot'),
      // Rework: a2's 20 minutes at the default 60/h = 20; a1's 10 minutes at 90/h = 15.
      rework('corrected', 'o1', 'a2', 20),
      rework('rewritten', 'o2', 'a1', 10),
      // ops: 30 estimated minutes each, authors without a cost: 30 + 30.
      generated('o3', 'b1', 'github-copilot', { minutesSavedEstimate: 30 }),
      generated('o4', 'b2', 'github-copilot', { minutesSavedEstimate: 30 }),
      // sales: three people, unestimated, without a cost: 3 × 30.
      ...['c1', 'c2', 'c3'].map((id) => generated(`s-${id}`, id, 'github-copilot')),
      // platform: p1, never assigned, 60 estimated minutes at 60/h = 60, with Claude Code billed in USD.
      generated('o5', 'p1', 'claude-code', { teamId: 'platform', minutesSavedEstimate: 60 }),
      usage('a1', 'data', 'github-copilot', { requests: 5, cost: 5, currency: 'EUR' }),
      usage('a2', 'data', 'github-copilot', { requests: 3 }),
      usage('b1', 'ops', 'github-copilot', { requests: 2 }),
      usage('b2', 'ops', 'github-copilot', { requests: 2 }),
      ...['c1', 'c2', 'c3'].map((id) => usage(id, 'sales', 'github-copilot', { requests: 1 })),
      usage('p1', 'platform', 'claude-code', { requests: 1, cost: 3, currency: 'USD' }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given spend in another currency, then the total has no net value, and says why', async () => {
    const answer = await get('', admin);
    expect(answer).toMatchObject({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: null, bucket: null, currency: 'EUR', suppressed: null });
    expect(answer.rows).toEqual([
      {
        group: null,
        bucket: null,
        savedValue: 60 + 30 + 30 + 30 + 60 + 90,
        lostCost: 20 + 15,
        // 5 EUR of usage cost and 7 Copilot seats.
        spend: 5 + 7 * 10,
        spendInOtherCurrencies: [{ currency: 'USD', amount: 3 }],
        netAiValue: null,
        netAiValueUnavailable: { reason: 'VALUE.SPEND_IN_OTHER_CURRENCY', currencies: ['USD'] },
      },
    ]);
  });

  it('given a grouping by team or tool, then each row nets its own value, cost of rework and spend (seats included)', async () => {
    const byTeam = await get('&groupBy=team', admin);
    expect(byTeam.rows.map(figures)).toEqual([
      ['data', 90, 35, 5 + 20, 90 - 35 - 25],
      ['ops', 60, 0, 20, 40],
      ['platform', 60, 0, 0, null],
      ['sales', 90, 0, 30, 60],
    ]);
    expect(byTeam.rows[2].netAiValueUnavailable).toEqual({ reason: 'VALUE.SPEND_IN_OTHER_CURRENCY', currencies: ['USD'] });
    const byTool = await get('&groupBy=tool&bucket=month', admin);
    expect(byTool.rows.map((row) => [row.bucket, ...(figures(row) ?? [])])).toEqual([
      ['2026-03-01T00:00:00.000Z', 'claude-code', 60, 0, 0, null],
      ['2026-03-01T00:00:00.000Z', 'github-copilot', 240, 35, 75, 240 - 35 - 75],
    ]);
    // A filter narrows both sources alike.
    expect((await get('&tool=github-copilot', admin)).rows.map(figures)).toEqual([[null, 240, 35, 75, 130]]);
  });

  it('given the rework answer, then savedValue is there too, on the same cost basis', async () => {
    const response = await fetch(`${baseUrl}/v1/metrics/rework?from=2026-03-01&to=2026-04-01&groupBy=team`, { headers: { authorization: `Bearer ${admin}` } });
    const rework = (await response.json()) as { rows: { group: string; savedValue: number; lostCost: number }[] };
    expect(rework.rows.map((row) => [row.group, row.savedValue, row.lostCost])).toEqual([
      ['data', 90, 35],
      ['ops', 60, 0],
      ['platform', 60, 0],
      ['sales', 90, 0],
    ]);
  });

  it('given a read key, then the one-person team is withheld, and every row shown is the exact one', async () => {
    const exact = new Map((await get('&groupBy=team', admin)).rows.map((row) => [row.group, row]));
    const byTeam = await get('&groupBy=team', reader);
    expect(byTeam.rows.map((row) => row.group)).not.toContain('platform');
    // platform (one person) and, so that it cannot be had by difference, data and ops (the smallest) are withheld.
    expect(byTeam.rows).toEqual([exact.get('sales')]);
    expect(byTeam.suppressed).toEqual({ rows: 3 });
    expect((await get('&team=platform', reader)).rows).toEqual([]);
    // The total covers eight people: published, as exact.
    expect((await get('', reader)).rows).toEqual((await get('', admin)).rows);
  });

  it('given a grouping by task type or an employee filter, then it is 400: spend has neither', async () => {
    const byTaskType = await request('&groupBy=taskType', admin);
    expect(byTaskType.status).toBe(400);
    expect(await byTaskType.json()).toMatchObject({ code: 'REQUEST.INVALID_PARAMETER', field: 'groupBy' });
    expect((await request('&employee=a1', admin)).status).toBe(400);
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await (await fetch(`${baseUrl}/docs-json`)).json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    const operation = document.paths['/v1/metrics/value']?.get;
    expect(operation?.parameters?.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['from', 'to', 'groupBy', 'bucket', 'team', 'tool']));
  });
});
