import type { INestApplication } from '@nestjs/common';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE, TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { createApiApp } from './create-api-app';
import { postEventsAndCatchUp } from './post-events.test-support';

/**
 * `ai.usage.recorded` through the API: POST /v1/events, then GET /v1/metrics/usage with an admin key (exact) and a
 * read key (the protected tables, k = 2).
 */
let sequence = 0;
const usage = (data: Record<string, unknown>, time = '2026-03-03T10:00:00Z') => ({
  specversion: '1.0',
  id: `usage-${++sequence}`,
  source: 'urn:e2e:usage',
  type: 'ai.usage.recorded',
  time,
  data,
});
const copilotDay = (employeeId: string, teamId: string, day: string, figures: Record<string, unknown>) =>
  usage({ employeeId, teamId, tool: 'github-copilot', day, usageKey: `acme/${employeeId}/${day}`, ...figures });
/** A cumulative cost point of d1's Claude Code series (what the OTLP receiver sends). */
const costPoint = (hour: number, cost: number) =>
  usage(
    { employeeId: 'd1', teamId: 'data', tool: 'claude-code', model: 'claude-sonnet-4', day: '2026-03-03', usageKey: `cc/d1/${hour}`, cost, currency: 'USD', cumulative: true, series: 'claude_code.cost.usage|d1', seriesStart: '2026-03-03T08:00:00Z' },
    `2026-03-03T${hour}:00:00Z`,
  );

type Row = { group: string | null; bucket: string | null; activeUsers: number; requests: number; suggestions: number; acceptances: number; acceptanceRate: number | null; spend: { currency: string; amount: number }[]; credits: number };
type Answer = { from: string; to: string; groupBy: string | null; bucket: string | null; rows: Row[]; suppressed: null | (Partial<Row> & { rows: number; reason?: string }) };

describe('GET /v1/metrics/usage (ai.usage.recorded through the API)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let reader: string;
  let admin: string;

  const request = (query: string, key: string) => fetch(`${baseUrl}/v1/metrics/usage?from=2026-03-01&to=2026-04-01${query}`, { headers: { authorization: `Bearer ${key}` } });
  const get = async (query: string, key: string): Promise<Answer> => {
    const response = await request(query, key);
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      { databaseUrl: database.url, defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 2, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    const ingest = (await apiKeys.create('usageco', ['ingest'], 'e2e ingest')).key;
    reader = (await apiKeys.create('usageco', ['read'], 'e2e read')).key;
    admin = (await apiKeys.create('usageco', ['read', 'admin'], 'e2e admin')).key;
    await app.get<TenantSettingsStore>(TENANT_SETTINGS).update('usageco', { seatCosts: [{ tool: 'github-copilot', seatCost: 10, currency: 'USD' }] });
    const people = [...['d1', 'd2', 'd3', 'd4'].map((id) => [id, 'data']), ...['o1', 'o2', 'o3'].map((id) => [id, 'ops']), ['p1', 'platform']];
    const events = [
      ...people.map(([id, team]) => copilotDay(id, team, '2026-03-02', { requests: 10, suggestions: 20, acceptances: 5, credits: 1 })),
      // d2's day revised by a later report (same usageKey, another event): it replaces the first.
      copilotDay('d2', 'data', '2026-03-02', { requests: 4, suggestions: 8, acceptances: 4, credits: 1 }),
      // A cumulative series read three times, restarted in between: 1.5 + 1 + 0.5 = 3 USD.
      costPoint(9, 1.5),
      costPoint(10, 2.5),
      costPoint(11, 0.5),
      usage({ employeeId: 'o1', teamId: 'ops', tool: 'chat-assistant', day: '2026-03-04', usageKey: 'chat/o1/4', requests: 2, cost: 4, currency: 'EUR' }),
      // April: outside the answers below.
      copilotDay('d1', 'data', '2026-04-02', { requests: 99 }),
    ];
    await postEventsAndCatchUp(app, baseUrl, ingest, events);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given an admin key, then the total is exact: distinct active users, a revised report replaced, cumulative cost as deltas, spend per currency with seats', async () => {
    const answer = await get('', admin);
    expect(answer).toMatchObject({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: null, bucket: null, suppressed: null });
    expect(answer.rows).toEqual([
      expect.objectContaining({
        group: null,
        activeUsers: 8,
        requests: 7 * 10 + 4 + 2,
        suggestions: 7 * 20 + 8,
        acceptances: 7 * 5 + 4,
        acceptanceRate: 39 / 148,
        credits: 8,
        spend: [
          { currency: 'EUR', amount: 4 },
          // 3 USD of Claude Code, and 8 active Copilot users × 10 USD for the month.
          { currency: 'USD', amount: 3 + 80 },
        ],
      }),
    ]);
  });

  it('given a grouping by tool, then each tool has its users and spend', async () => {
    const rows = (await get('&groupBy=tool', admin)).rows;
    expect(rows.map((row) => [row.group, row.activeUsers, row.spend])).toEqual([
      ['chat-assistant', 1, [{ currency: 'EUR', amount: 4 }]],
      ['claude-code', 1, [{ currency: 'USD', amount: 3 }]],
      ['github-copilot', 8, [{ currency: 'USD', amount: 80 }]],
    ]);
    expect(rows[1].acceptanceRate).toBeNull();
  });

  it('given a grouping or a filter by task type, then it is 400: usage has no task type', async () => {
    const byTaskType = await request('&groupBy=taskType', admin);
    expect(byTaskType.status).toBe(400);
    expect(await byTaskType.json()).toMatchObject({ code: 'REQUEST.INVALID_PARAMETER', field: 'groupBy' });
    const filtered = await request('&taskType=coding', admin);
    expect(filtered.status).toBe(400);
    expect(await filtered.json()).toMatchObject({ code: 'REQUEST.INVALID_PARAMETER', field: 'taskType' });
  });

  it('given a read key, then the one-person team is never shown, and what is withheld is summed', async () => {
    const adminByTeam = await get('&groupBy=team', admin);
    expect(adminByTeam.rows.map((row) => [row.group, row.activeUsers])).toEqual([
      ['data', 4],
      ['ops', 3],
      ['platform', 1],
    ]);
    const byTeam = await get('&groupBy=team', reader);
    expect(byTeam.rows.map((row) => row.group)).not.toContain('platform');
    expect(byTeam.rows.find((row) => row.group === 'data')).toMatchObject({ activeUsers: 4 });
    expect(byTeam.suppressed?.rows).toBeGreaterThanOrEqual(2);
    expect(byTeam.rows.every((row) => !('employeeIds' in row))).toBe(true);
    expect((await get('&team=platform', reader)).rows).toEqual([]);
    // The total is published: 8 people.
    expect((await get('', reader)).rows.map((row) => row.activeUsers)).toEqual([8]);
  });

  it('given a read key and an employee filter, then it is 403', async () => {
    expect((await request('&employee=d1', reader)).status).toBe(403);
    expect((await get('&employee=d1', admin)).rows).toEqual([expect.objectContaining({ activeUsers: 1, requests: 10 })]);
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await (await fetch(`${baseUrl}/docs-json`)).json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    const operation = document.paths['/v1/metrics/usage']?.get;
    expect(operation?.parameters?.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['from', 'to', 'groupBy', 'bucket', 'team', 'tool', 'model']));
  });
});
