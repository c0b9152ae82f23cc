import type { INestApplication } from '@nestjs/common';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { createApiApp } from './create-api-app';

let sequence = 0;
const ce = (type: string, data: Record<string, unknown>, time = '2026-03-02T10:00:00Z') => ({
  specversion: '1.0',
  id: `e2e-${++sequence}`,
  source: 'urn:e2e',
  type,
  time,
  data,
});

describe('API end to end (HTTP → event store → read model)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  const keys: Record<'ingest' | 'read' | 'admin' | 'other', string> = { ingest: '', read: '', admin: '', other: '' };

  const request = async (method: string, path: string, options: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers['authorization'] = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  };
  const caughtUp = async () => {
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(20_000);
  };
  // Exact figures are read with an admin key: the small groups of these tests would be suppressed for others.
  const metrics = async (query = '', key = keys.admin) => {
    await caughtUp();
    return request('GET', `/v1/metrics/rework?from=2026-03-01&to=2026-04-01${query}`, { key });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      {
        databaseUrl: database.url,
        defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
      },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    keys.ingest = (await apiKeys.create('acme', ['ingest'], 'e2e ingest')).key;
    keys.read = (await apiKeys.create('acme', ['read'], 'e2e read')).key;
    keys.admin = (await apiKeys.create('acme', ['admin'], 'e2e admin')).key;
    keys.other = (await apiKeys.create('globex', ['ingest', 'read'], 'e2e other tenant')).key;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('answers /health without a key', async () => {
    expect(await request('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('given a batch of three valid events and one invalid, then 3 are accepted, 1 rejected with its reason; posting it again gives 3 duplicates; metrics count each once', async () => {
    const batch = [
      ce('ai.output.generated', { outputId: 'o-1', employeeId: 'alice', teamId: 'platform', tool: 'copilot', taskType: 'coding', minutesSavedEstimate: 30 }),
      ce('ai.output.corrected', { outputId: 'o-1', employeeId: 'alice', minutesSpent: 15 }),
      ce('employee.assigned', { employeeId: 'alice', teamId: 'platform', hourlyCost: 80 }, '2026-01-01T00:00:00Z'),
      ce('ai.output.rewritten', { outputId: 'o-1', employeeId: 'alice', minutesSpent: -5 }),
    ];
    const first = await request('POST', '/v1/events', { key: keys.ingest, body: batch, headers: { 'content-type': 'application/cloudevents-batch+json' } });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      accepted: 3,
      duplicates: 0,
      rejected: [{ index: 3, id: batch[3].id, errors: [{ code: 'FIELD.OUT_OF_RANGE', message: expect.stringContaining('minutesSpent'), field: 'data.minutesSpent' }] }],
    });
    const again = await request('POST', '/v1/events', { key: keys.ingest, body: batch });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3, rejected: [{ index: 3 }] });

    const { status, body } = await metrics();
    expect(status).toBe(200);
    expect(body).toMatchObject({ metricVersion: 'v1', currency: 'EUR', groupBy: null, bucket: null });
    expect(body.rows).toEqual([
      expect.objectContaining({ outputs: 1, reworkedOutputs: 1, reworkRate: 1, corrections: 1, rewrites: 0, reworkMinutes: 15, lostHours: 0.25, lostCost: 20, grossSavedHours: 0.5, netSavedHours: 0.25 }),
    ]);
  });

  it('accepts one structured event and one binary-mode event (ce-* headers)', async () => {
    const structured = ce('ai.output.generated', { outputId: 'o-2', employeeId: 'bob', tool: 'chatgpt', taskType: 'drafting' });
    const response = await request('POST', '/v1/events', { key: keys.ingest, body: structured, headers: { 'content-type': 'application/cloudevents+json' } });
    expect(response).toEqual({ status: 202, body: { accepted: 1, duplicates: 0, rejected: [] } });

    const binary = await request('POST', '/v1/events', {
      key: keys.ingest,
      rawBody: JSON.stringify({ outputId: 'o-2', employeeId: 'bob', minutesSpent: 12 }),
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'binary-1',
        'ce-source': 'urn:e2e:binary',
        'ce-type': 'ai.output.discarded',
        'ce-time': '2026-03-03T10:00:00Z',
      },
    });
    expect(binary).toEqual({ status: 202, body: { accepted: 1, duplicates: 0, rejected: [] } });
    const { body } = await metrics('&groupBy=tool');
    expect(body.rows.find((row: { group: string }) => row.group === 'chatgpt')).toMatchObject({ outputs: 1, discards: 1, reworkMinutes: 12 });
  });

  it('rejects a binary-mode event missing ce-time with 400 naming the field', async () => {
    const response = await request('POST', '/v1/events', {
      key: keys.ingest,
      rawBody: JSON.stringify({ outputId: 'o-3', employeeId: 'bob', minutesSpent: 1 }),
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'binary-2', 'ce-source': 's', 'ce-type': 'ai.output.corrected' },
    });
    expect(response.status).toBe(400);
    expect(response.body.rejected[0].errors).toContainEqual(expect.objectContaining({ code: 'FIELD.REQUIRED', field: 'time' }));
  });

  it.each([
    ['a wrong specversion', { specversion: '0.3' }, 'EVENT.UNSUPPORTED_SPECVERSION', 'specversion'],
    ['an unknown type', { type: 'ai.output.liked' }, 'EVENT.UNKNOWN_TYPE', 'type'],
    ['another tenant', { tenant: 'globex' }, 'EVENT.TENANT_MISMATCH', 'tenant'],
    ['an over-long id', { id: 'x'.repeat(201) }, 'FIELD.TOO_LONG', 'id'],
  ])('rejects a single event with %s: 400 with the field and rule', async (_, override, code, field) => {
    const event = { ...ce('ai.output.generated', { outputId: 'o-9', employeeId: 'e', tool: 't', taskType: 'coding' }), ...override };
    const response = await request('POST', '/v1/events', { key: keys.ingest, body: event });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, id: event.id, errors: [expect.objectContaining({ code, field })] }] });
  });

  it('answers malformed JSON with 400 REQUEST.MALFORMED_JSON', async () => {
    const response = await request('POST', '/v1/events', { key: keys.ingest, rawBody: '{"specversion": "1.0",', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'REQUEST.MALFORMED_JSON', message: expect.stringContaining('not valid JSON') });
  });

  it('answers more than 1000 events or more than 5 MiB with 413', async () => {
    const many = Array.from({ length: 1001 }, () => ce('ai.output.generated', { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding' }));
    const tooMany = await request('POST', '/v1/events', { key: keys.ingest, body: many });
    expect(tooMany).toMatchObject({ status: 413, body: { code: 'REQUEST.TOO_MANY_EVENTS' } });
    const huge = await request('POST', '/v1/events', { key: keys.ingest, rawBody: `[${'"x",'.repeat(1_400_000)}"x"]`, headers: { 'content-type': 'application/json' } });
    expect(huge).toMatchObject({ status: 413, body: { code: 'REQUEST.TOO_LARGE' } });
  });

  it('answers a missing key 401, a wrong key 401, and a key without the scope 403', async () => {
    expect(await request('GET', '/v1/metrics/rework')).toMatchObject({ status: 401, body: { code: 'AUTH.MISSING_API_KEY' } });
    expect(await request('GET', '/v1/metrics/rework', { key: 'rl_wrong' })).toMatchObject({ status: 401, body: { code: 'AUTH.INVALID_API_KEY' } });
    expect(await request('POST', '/v1/events', { key: keys.read, body: [] })).toMatchObject({ status: 403, body: { code: 'AUTH.MISSING_SCOPE' } });
    expect(await request('GET', '/v1/metrics/rework?groupBy=employee', { key: keys.read })).toMatchObject({ status: 403, body: { code: 'AUTH.MISSING_SCOPE' } });
    expect(await request('GET', '/v1/metrics/rework?groupBy=employee&from=2026-03-01&to=2026-04-01', { key: keys.admin })).toMatchObject({ status: 200 });
  });

  it.each([
    ['from after to', '?from=2026-04-01&to=2026-03-01', 'from'],
    ['a malformed date', '?from=yesterday', 'from'],
    ['an unknown bucket', '?bucket=year', 'bucket'],
    ['an unknown groupBy', '?groupBy=planet', 'groupBy'],
  ])('answers %s with 400 naming the parameter', async (_, query, field) => {
    expect(await request('GET', `/v1/metrics/rework${query}`, { key: keys.read })).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID_PARAMETER', field } });
  });

  it('keeps tenants apart: another tenant sees none of these events', async () => {
    const { body } = await metrics('', keys.other);
    expect(body.rows).toEqual([]);
  });

  it('suppresses groups of fewer than 5 employees for non-admin callers, and withholds their sum when it would show a withheld margin', async () => {
    const generated = (team: string, employees: number) =>
      Array.from({ length: employees }, (_, i) =>
        ce('ai.output.generated', { outputId: `${team}-${i}`, employeeId: `${team}-emp-${i}`, teamId: team, tool: 'privacy', taskType: 'analysis' }, '2026-03-20T10:00:00Z'),
      );
    await request('POST', '/v1/events', { key: keys.ingest, body: [...generated('big', 8), ...generated('mid', 6), ...generated('tiny', 2)] });
    const admin = await metrics('&tool=privacy&groupBy=team');
    expect(admin.body.rows.map((row: { group: string; outputs: number }) => [row.group, row.outputs])).toEqual([['big', 8], ['mid', 6], ['tiny', 2]]);
    expect(admin.body.suppressed).toBeNull();

    // tiny (2 employees) is suppressed; alone it would expose 2 people, so the next-smallest row (mid) goes too. The
    // tool's total is withheld in this month's tables (it protects the one-person tools of the tests above), so the
    // sum of mid and tiny would show it: withheld too (privacy v2).
    const reader = await metrics('&tool=privacy&groupBy=team', keys.read);
    expect(reader.body.rows.map((row: { group: string }) => row.group)).toEqual(['big']);
    expect(reader.body.suppressed).toMatchObject({ rows: 2, outputs: null, reworkRate: null, reason: 'WITHHELD.SMALL_REMAINDER' });
    expect(reader.body.suppressed).not.toHaveProperty('employees');

    // A remainder that cannot be made large enough is withheld.
    const small = await metrics('&tool=privacy&team=tiny', keys.read);
    expect(small.body).toMatchObject({ rows: [], suppressed: { rows: 1, outputs: null, reworkRate: null } });
  });

  it('given the same batch posted concurrently, then it is stored exactly once', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ce('ai.output.generated', { outputId: `c-${i}`, employeeId: `emp-${i % 7}`, tool: 'concurrent', taskType: 'analysis' }));
    const results = await Promise.all(Array.from({ length: 5 }, () => request('POST', '/v1/events', { key: keys.ingest, body: batch })));
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(results.reduce((sum, r) => sum + r.body.accepted, 0)).toBe(50);
    expect(results.reduce((sum, r) => sum + r.body.duplicates, 0)).toBe(200);
    const { body } = await metrics('&tool=concurrent');
    expect(body.rows[0].outputs).toBe(50);
  });

  it('reports projection status and rebuilds a projection without losing its numbers', async () => {
    const before = (await metrics('&groupBy=tool&bucket=day')).body.rows;
    const rebuild = await request('POST', '/v1/projections/rework-metrics/rebuild', { key: keys.admin });
    expect(rebuild).toEqual({ status: 201, body: { name: 'rework-metrics', rebuildRequested: true } });
    expect((await metrics('&groupBy=tool&bucket=day')).body.rows).toEqual(before);
    const status = await request('GET', '/v1/projections', { key: keys.read });
    expect(status.body.projections[0]).toMatchObject({ name: 'rework-metrics', state: 'running', eventsBehind: 0, rebuild: { lastRebuiltAt: expect.any(String) } });
    expect(await request('POST', '/v1/projections/nope/rebuild', { key: keys.admin })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND.PROJECTION' } });
  });

  it('serves Prometheus metrics, the OpenAPI document and the dashboard', async () => {
    const prometheus = await request('GET', '/metrics');
    expect(prometheus.body).toContain('rework_ledger_projection_events_behind{projection="rework-metrics"} 0');
    expect((await request('GET', '/docs-json')).body).toMatchObject({ openapi: expect.any(String), paths: expect.objectContaining({ '/v1/events': expect.anything() }) });
    expect((await request('GET', '/')).body).toContain('<title>Rework Ledger</title>');
  });

  it('documents every endpoint in OpenAPI, with examples of its request, its answers and its errors', async () => {
    const { body } = await request('GET', '/docs-json');
    const operations = Object.entries(body.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ where: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.map((o) => o.where)).toEqual(
      expect.arrayContaining([
        'POST /v1/events',
        'GET /v1/metrics/rework',
        'GET /v1/training/courses',
        'GET /v1/training/courses/{courseId}/impact',
        'GET /v1/skills/gaps',
        'GET /v1/projections',
        'POST /v1/projections/{name}/rebuild',
        'GET /health',
        'GET /metrics',
      ]),
    );
    const withExamples = (content: Record<string, any> = {}) => Object.values(content).length > 0 && Object.values(content).every((media) => Boolean(media.example ?? media.examples));
    for (const { where, operation } of operations) {
      if (operation.requestBody) expect([where, 'request', withExamples(operation.requestBody.content)]).toEqual([where, 'request', true]);
      const statuses = Object.keys(operation.responses);
      expect([where, statuses.some((status) => status.startsWith('2'))]).toEqual([where, true]);
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        if (status !== '204') expect([where, status, withExamples(response.content)]).toEqual([where, status, true]);
        if (status.startsWith('4')) {
          for (const example of Object.values(response.content['application/json'].examples as Record<string, { value: any }>)) {
            if (!('rejected' in example.value)) expect([where, status, example.value]).toEqual([where, status, expect.objectContaining({ code: expect.any(String), message: expect.any(String) })]);
          }
        }
      }
      // Behind the API-key guard: the 401 and 403 answers are documented too.
      if (operation.security) expect([where, statuses]).toEqual([where, expect.arrayContaining(['401', '403'])]);
    }
  });
});
