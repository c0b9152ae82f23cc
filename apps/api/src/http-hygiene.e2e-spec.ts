import type { INestApplication } from '@nestjs/common';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { connect, type Socket } from 'node:net';
import { createApiApp } from './create-api-app';

// Small limits and timeouts, so that each behaviour shows in a few requests and a few seconds.
const QUERY_PER_MINUTE = 30;
const METRICS_TOKEN = 'a-metrics-token-for-the-tests';
const TIMEOUTS = { headersMs: 1_000, requestMs: 1_500, keepAliveMs: 1_000 };

/** A raw TCP connection to the server: what it answers, and when it closes. */
function rawConnection(port: number): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined); // a reset after the server closes: the answer is what counts
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, closed };
}

/** Writes one byte every 100 ms until the connection closes (a body or headers trickled at a crawl). */
function trickle(socket: Socket): void {
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('a')), 100);
  socket.on('close', () => clearInterval(timer));
}

describe('HTTP hygiene (end to end, real HTTP and PostgreSQL)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let port: number;
  let apiKeys: ApiKeys;
  const keys: Record<'ingest' | 'read' | 'admin' | 'busy' | 'other', string> = { ingest: '', read: '', admin: '', busy: '', other: '' };

  const request = async (method: string, path: string, options: { key?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers['authorization'] = `Bearer ${options.key}`;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      {
        databaseUrl: database.url,
        defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
      },
      ['error'],
      { timeouts: TIMEOUTS, rateLimits: { ingestPerMinute: 1_000, queryPerMinute: QUERY_PER_MINUTE }, metricsToken: METRICS_TOKEN },
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    port = Number(new URL(baseUrl).port);
    apiKeys = app.get<ApiKeys>(API_KEYS);
    keys.ingest = (await apiKeys.create('acme', ['ingest'], 'ingest')).key;
    keys.read = (await apiKeys.create('acme', ['read'], 'read')).key;
    keys.admin = (await apiKeys.create('acme', ['admin'], 'admin')).key;
    keys.busy = (await apiKeys.create('busy', ['read'], 'a busy tenant')).key;
    keys.other = (await apiKeys.create('globex', ['read'], 'another tenant')).key;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  describe('authentication before the body is read', () => {
    it.each([
      ['an invalid key', 'Authorization: Bearer rl_not-a-key\r\n', 'AUTH.INVALID_API_KEY'],
      ['no key', '', 'AUTH.MISSING_API_KEY'],
    ])('given %s and a 6 MiB body announced, then 401 at once (not 413), and the connection is closed without reading the body', async (_, auth, code) => {
      const { socket, closed } = rawConnection(port);
      socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${6 * 1024 * 1024}\r\n\r\n[`);
      const answer = await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer.toLowerCase()).toContain('connection: close');
      expect(answer).toContain(`"code":"${code}"`);
    });

    it('given a key without the scope, then 403 before the body', async () => {
      const { socket, closed } = rawConnection(port);
      socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.read}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[`);
      expect(await closed).toMatch(/^HTTP\/1\.1 403 [\s\S]*AUTH\.MISSING_SCOPE/);
    });

    it("authenticates xAPI's alternate request syntax (credentials in a form body) by its Authorization field, once the form is read", async () => {
      const basic = encodeURIComponent(`Basic ${Buffer.from('lms:rl_not-a-key').toString('base64')}`);
      const form = await request('POST', '/v1/xapi/statements?method=PUT', { body: `Authorization=${basic}&content=%7B%7D`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form).toMatchObject({ status: 401, body: { code: 'AUTH.INVALID_API_KEY' } });
      const unauthenticated = await request('POST', '/v1/xapi/statements', { body: '{}', headers: { 'content-type': 'application/json' } });
      expect(unauthenticated).toMatchObject({ status: 401 });
      expect(unauthenticated.headers.get('x-experience-api-version')).toBe('2.0.0');
    });

    it('given a key revoked by this process, then it stops working at once', async () => {
      const { id, key } = await apiKeys.create('acme', ['read'], 'revoked');
      expect((await request('GET', '/v1/projections', { key })).status).toBe(200);
      expect(await apiKeys.revoke(id)).toBe('revoked');
      expect(await request('GET', '/v1/projections', { key })).toMatchObject({ status: 401, body: { code: 'AUTH.INVALID_API_KEY' } });
    });
  });

  describe('server timeouts', () => {
    it('given a body trickled at 10 bytes a second, then the server answers 408 and closes the connection after HTTP_REQUEST_TIMEOUT_MS', async () => {
      const { socket, closed } = rawConnection(port);
      socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.ingest}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
      trickle(socket);
      expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    }, 15_000);

    it('given headers trickled, then the connection is closed after HTTP_HEADERS_TIMEOUT_MS', async () => {
      const { socket, closed } = rawConnection(port);
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      trickle(socket);
      expect(await closed).toMatch(/^(HTTP\/1\.1 408 |$)/);
    }, 15_000);

    it('given an idle keep-alive connection, then the server closes it', async () => {
      const { socket, closed } = rawConnection(port);
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      expect(await closed).toMatch(/^HTTP\/1\.1 200 /);
    }, 15_000);
  });

  describe('rate limits', () => {
    it('given a tenant over its limit on a route, then 429 RATE.LIMITED with Retry-After; other tenants and other routes are not affected', async () => {
      for (let i = 0; i < QUERY_PER_MINUTE; i++) expect((await request('GET', '/v1/projections', { key: keys.busy })).status).toBe(200);
      const limited = await request('GET', '/v1/projections', { key: keys.busy });
      expect(limited).toMatchObject({ status: 429, body: { code: 'RATE.LIMITED', message: expect.any(String) } });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect((await request('GET', '/v1/projections', { key: keys.other })).status).toBe(200);
      expect((await request('GET', '/v1/training/courses', { key: keys.busy })).status).toBe(200);
    });
  });

  describe('security headers', () => {
    it('serves the dashboard with a CSP of its own sources, nosniff, no framing and no X-Powered-By', async () => {
      const { status, headers } = await request('GET', '/');
      expect(status).toBe(200);
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('x-powered-by')).toBeNull();
      expect((await request('GET', '/health')).headers.get('x-powered-by')).toBeNull();
    });

    it('lets Swagger UI at /docs style its page inline, and nothing more', async () => {
      const { status, headers } = await request('GET', '/docs');
      expect(status).toBe(200);
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("script-src 'self'");
    });
  });

  describe('content types and methods', () => {
    it('given a text/plain body on POST /v1/events, then 415 REQUEST.UNSUPPORTED_MEDIA_TYPE, nothing stored', async () => {
      const body = JSON.stringify({ specversion: '1.0', id: 'plain-1', source: 's', type: 'ai.output.generated', time: '2026-03-02T10:00:00Z', data: {} });
      const response = await request('POST', '/v1/events', { key: keys.ingest, body, headers: { 'content-type': 'text/plain' } });
      expect(response).toMatchObject({ status: 415, body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('text/plain'), field: 'content-type' } });
    });

    it('given a text/plain body on xAPI statements, then 400, as xAPI wants (its statements take JSON or multipart/mixed)', async () => {
      const response = await request('POST', '/v1/xapi/statements', { key: keys.ingest, body: '{}', headers: { 'content-type': 'text/plain', 'x-experience-api-version': '1.0.3' } });
      expect(response).toMatchObject({ status: 400, body: { code: 'XAPI.UNSUPPORTED_CONTENT_TYPE' } });
      expect(response.headers.get('x-experience-api-version')).toBe('1.0.3');
    });

    it.each([
      ['DELETE', '/v1/events', 'POST'],
      ['PUT', '/v1/metrics/rework', 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
      ['GET', '/v1/projections/rework-metrics/rebuild', 'POST'],
      ['PATCH', '/v1/xapi/statements', 'GET, HEAD, POST, PUT'],
    ])('given %s %s, then 405 with Allow: %s in the one error shape', async (method, path, allow) => {
      const response = await request(method, path, { key: keys.admin });
      expect(response).toMatchObject({ status: 405, body: { code: 'REQUEST.METHOD_NOT_ALLOWED', message: expect.any(String) } });
      expect(response.headers.get('allow')).toBe(allow);
    });

    it('given an unknown path, then still 404', async () => {
      expect(await request('GET', '/v1/nothing-here', { key: keys.admin })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND.ROUTE' } });
    });
  });

  describe('query parameters', () => {
    it.each([
      ['a NUL in team', '/v1/metrics/rework?team=%00', 'team'],
      ['a control character in tool', '/v1/metrics/rework?tool=a%0Ab', 'tool'],
      ['team given twice', '/v1/metrics/rework?team=a&team=b', 'team'],
      ['year 0', '/v1/metrics/rework?from=0000-01-01', 'from'],
      ['an impossible date', '/v1/metrics/rework?from=2026-02-30&to=2026-04-01', 'from'],
      ['an impossible date in to', '/v1/skills/gaps?to=2026-04-31', 'to'],
      ['impact asOf in year 1', '/v1/training/courses/c-1/impact?asOf=0001-01-02', 'asOf'],
      ['a year past 9999', '/v1/metrics/rework?to=10000-01-01', 'to'],
    ])('given %s, then 400 REQUEST.INVALID_PARAMETER naming it', async (_, path, field) => {
      expect(await request('GET', path, { key: keys.admin })).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID_PARAMETER', field } });
    });

    it('given the edges of the range, then an answer', async () => {
      expect((await request('GET', '/v1/metrics/rework?from=1970-01-01&to=9999-12-31', { key: keys.admin })).status).toBe(200);
      expect((await request('GET', '/v1/training/courses/c-1/impact?asOf=1970-01-02', { key: keys.admin })).status).toBeLessThan(500);
    });
  });

  describe('/metrics', () => {
    it('given METRICS_TOKEN, then /metrics needs it as a bearer token, and shows no tenant', async () => {
      expect(await request('GET', '/metrics')).toMatchObject({ status: 401, body: { code: 'AUTH.INVALID_METRICS_TOKEN' } });
      expect(await request('GET', '/metrics', { key: 'wrong-token' })).toMatchObject({ status: 401 });
      const event = { specversion: '1.0', id: 'metrics-1', source: 's', type: 'ai.output.generated', time: '2026-03-02T10:00:00Z', data: { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding' } };
      expect((await request('POST', '/v1/events', { key: keys.ingest, body: JSON.stringify(event), headers: { 'content-type': 'application/json' } })).status).toBe(202);
      const metrics = await request('GET', '/metrics', { key: METRICS_TOKEN });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('rework_ledger_events_ingested_total');
      expect(metrics.body).not.toMatch(/tenant|acme/);
    });
  });

  // Last: it spends this address's allowance of failed key look-ups.
  describe('failed key look-ups', () => {
    it('given many invalid keys from one address, then 429 before the database is asked again', async () => {
      const answers = [];
      for (let i = 0; i <= QUERY_PER_MINUTE; i++) answers.push((await request('GET', '/v1/projections', { key: `rl_random-${i}` })).status);
      expect(answers.filter((status) => status === 401).length).toBeLessThanOrEqual(QUERY_PER_MINUTE);
      expect(answers.at(-1)).toBe(429);
    });
  });
});
