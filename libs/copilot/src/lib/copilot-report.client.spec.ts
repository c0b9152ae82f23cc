import { createServer, type Server } from 'node:http';
import { createCopilotReportClient, CopilotReportError, rateLimitWaitMs } from './copilot-report.client';
import { type FakeGithub, startFakeGithub } from './copilot-fixtures.test-support';
import type { CopilotUsageEvent } from './copilot-usage.mapping';
import { daysBetween, importCopilotUsage, type UsageSink } from './import-copilot-usage';

const TOKEN = 'ghp_test_token';
const scope = { kind: 'org', name: 'acme' } as const;

/** A sink that keeps what it is sent and takes every event as new. */
function collectingSink(): { sink: UsageSink; events: CopilotUsageEvent[] } {
  const events: CopilotUsageEvent[] = [];
  return { events, sink: async (batch) => (events.push(...batch), { accepted: batch.length, duplicates: 0, rejected: [] }) };
}

describe('the Copilot report client against a local GitHub (recorded shapes)', () => {
  let github: FakeGithub;
  const waits: number[] = [];
  const client = () => createCopilotReportClient({ scope, baseUrl: github.url, token: TOKEN, sleep: async (ms) => void waits.push(ms) });

  beforeEach(async () => {
    github = await startFakeGithub({ token: TOKEN });
    waits.length = 0;
  });
  afterEach(() => github.close());

  it('given three days, one without a report and one throttled, then it follows the signed links, waits as Retry-After says and maps every row', async () => {
    github.throttleOnce('2026-03-04', 7);
    const { sink, events } = collectingSink();
    const summary = await importCopilotUsage(client(), daysBetween('2026-03-02', '2026-03-04'), { scope, importDay: '2026-03-06', sink, batchSize: 2 });

    expect(summary).toMatchObject({ days: 3, missingDays: ['2026-03-03'], links: 3, rows: 7, events: 6, accepted: 6, skipped: { 'no-usage-figures': 1 }, users: 4 });
    expect(waits).toEqual([7000]);
    const sum = (figure: keyof CopilotUsageEvent['data'], day: string) => events.filter((e) => e.data.day === day).reduce((total, e) => total + Number(e.data[figure] ?? 0), 0);
    expect(['requests', 'suggestions', 'acceptances', 'linesSuggested', 'linesAccepted', 'credits'].map((figure) => sum(figure as never, '2026-03-02'))).toEqual([20, 67, 39, 260, 137, 4.75]);
    expect(['requests', 'suggestions', 'acceptances', 'linesSuggested', 'linesAccepted', 'credits'].map((figure) => sum(figure as never, '2026-03-04'))).toEqual([6, 15, 11, 59, 35, 1.25]);
    expect(events.find((e) => e.data.employeeId === 'dave')?.data).toEqual({ employeeId: 'dave', tool: 'github-copilot', day: '2026-03-02', usageKey: 'github-copilot/orgs/acme/dave/2026-03-02', requests: 3, suggestions: 6, acceptances: 2 });
  });

  it('given the report requests and the downloads, then the token and GitHub headers go to the API only, never to the signed links', async () => {
    await importCopilotUsage(client(), ['2026-03-02'], { scope, importDay: '2026-03-06', sink: collectingSink().sink });
    const api = github.requests.filter((request) => request.path.includes('/copilot/metrics/reports/'));
    const downloads = github.requests.filter((request) => request.path.startsWith('/copilot-usage/'));
    expect(api).toEqual([expect.objectContaining({ host: '127.0.0.1', path: '/orgs/acme/copilot/metrics/reports/users-1-day?day=2026-03-02', status: 200 })]);
    expect(api[0].headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });
    expect(downloads.map((request) => [request.host, request.status, request.headers.authorization])).toEqual([
      ['localhost', 200, undefined],
      ['localhost', 200, undefined],
    ]);
  });

  it('given the enterprise scope, then it asks the enterprise endpoint', async () => {
    const enterprise = await startFakeGithub({ token: TOKEN, owner: 'globex' });
    try {
      const report = await createCopilotReportClient({ scope: { kind: 'enterprise', name: 'globex' }, baseUrl: enterprise.url, token: TOKEN }).dayReport('2026-03-02');
      expect(report).toMatchObject({ status: 'available', reportDay: '2026-03-02', links: [expect.stringContaining('part-1'), expect.stringContaining('part-2')] });
      expect(enterprise.requests[0].path).toBe('/enterprises/globex/copilot/metrics/reports/users-1-day?day=2026-03-02');
    } finally {
      await enterprise.close();
    }
  });

  it('given a wrong token, then it stops with COPILOT.UNAUTHORIZED (not retried)', async () => {
    const wrong = createCopilotReportClient({ scope, baseUrl: github.url, token: 'nope', sleep: async (ms) => void waits.push(ms) });
    await expect(wrong.dayReport('2026-03-02')).rejects.toMatchObject({ code: 'COPILOT.UNAUTHORIZED', retriable: false });
    expect(github.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe('the Copilot report client and rate limits', () => {
  let server: Server;
  let url: string;
  let answers: { status: number; headers: Record<string, string>; body: string }[];
  const seen: number[] = [];

  beforeAll(async () => {
    server = createServer((_request, response) => {
      const next = answers.shift() ?? { status: 200, headers: {}, body: '{"download_links":[],"report_day":"2026-03-02"}' };
      seen.push(next.status);
      response.writeHead(next.status, next.headers);
      response.end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (seen.length = 0));

  const NOW = 1_780_000_000_000;
  const clientWith = (waits: number[], extra: Record<string, unknown> = {}) =>
    createCopilotReportClient({ scope, baseUrl: url, token: TOKEN, now: () => NOW, sleep: async (ms) => void waits.push(ms), ...extra });

  it('given a primary rate limit (403, x-ratelimit-remaining 0), then it waits until x-ratelimit-reset and retries', async () => {
    answers = [{ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 30) }, body: '{"message":"API rate limit exceeded"}' }];
    const waits: number[] = [];
    expect(await clientWith(waits).dayReport('2026-03-02')).toEqual({ status: 'available', reportDay: '2026-03-02', links: [] });
    expect(waits).toEqual([31_000]);
    expect(seen).toEqual([403, 200]);
  });

  it('given a success that says no requests remain, then the next request waits for the reset first', async () => {
    answers = [{ status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 10) }, body: '{"download_links":[],"report_day":"2026-03-02"}' }];
    const waits: number[] = [];
    const client = clientWith(waits);
    await client.dayReport('2026-03-02');
    expect(waits).toEqual([]);
    await client.dayReport('2026-03-03');
    expect(waits).toEqual([11_000]);
  });

  it('given a secondary limit without a wait, then it waits a minute, then longer; server errors back off', async () => {
    answers = [
      { status: 403, headers: {}, body: '{"message":"You have exceeded a secondary rate limit"}' },
      { status: 429, headers: {}, body: '' },
      { status: 502, headers: {}, body: '' },
    ];
    const waits: number[] = [];
    await clientWith(waits).dayReport('2026-03-02');
    expect(waits).toEqual([60_000, 120_000, 4000]);
  });

  it('given a wait longer than allowed, or a 403 that is no rate limit, then it stops with a typed error', async () => {
    answers = [{ status: 429, headers: { 'retry-after': '3600' }, body: '' }];
    await expect(clientWith([]).dayReport('2026-03-02')).rejects.toMatchObject({ code: 'COPILOT.UNAVAILABLE', retriable: true });
    answers = [{ status: 403, headers: {}, body: '{"message":"Resource not accessible by personal access token"}' }];
    const error = await clientWith([]).dayReport('2026-03-02').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopilotReportError);
    expect(error).toMatchObject({ code: 'COPILOT.FORBIDDEN', status: 403, message: expect.stringContaining('Copilot metrics') });
  });

  it('given Retry-After as an HTTP date, then the wait runs to that date', () => {
    expect(rateLimitWaitMs(new Headers({ 'retry-after': new Date(NOW + 5000).toUTCString() }), NOW)).toBe(5000);
    expect(rateLimitWaitMs(new Headers({ 'x-ratelimit-remaining': '12' }), NOW)).toBeUndefined();
  });
});
