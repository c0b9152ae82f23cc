import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';

/** The recorded-shape fixtures (see fixtures/README.md). */
export const COPILOT_FIXTURES = join(__dirname, '..', '..', 'fixtures');

export type FakeGithubRequest = Readonly<{ host: string; path: string; headers: IncomingHttpHeaders; status: number }>;

export type FakeGithub = {
  /** The API base URL (http://127.0.0.1:port); downloads are served under http://localhost:port. */
  readonly url: string;
  readonly requests: FakeGithubRequest[];
  /** Answers the next report request of `day` with 429 and `Retry-After: seconds`. */
  throttleOnce(day: string, seconds: number): void;
  /** Serves `text` instead of the fixture file of `day`'s part `part` (a revised report). */
  revise(day: string, part: number, text: string): void;
  close(): Promise<void>;
};

const fixture = (name: string) => join(COPILOT_FIXTURES, name);

/**
 * A local stand-in for api.github.com and the signed download host, answering with the fixtures: the users-1-day
 * report of a day (200 with download links, 404 without a report, 401 without the token) and the NDJSON files.
 */
export async function startFakeGithub(options: Readonly<{ token: string; owner?: string }>): Promise<FakeGithub> {
  const requests: FakeGithubRequest[] = [];
  const throttled = new Map<string, number>();
  const revised = new Map<string, string>();
  let port = 0;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      requests.push({ host: url.hostname, path: `${url.pathname}${url.search}`, headers: request.headers, status });
      response.writeHead(status, { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': '0', ...headers });
      response.end(body);
    };
    const report = /^\/(orgs|enterprises)\/([^/]+)\/copilot\/metrics\/reports\/users-1-day$/.exec(url.pathname);
    if (report) {
      if (request.headers.authorization !== `Bearer ${options.token}`) {
        return answer(401, JSON.stringify({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }), { 'content-type': 'application/json; charset=utf-8' });
      }
      const day = url.searchParams.get('day') ?? '';
      const wait = throttled.get(day);
      if (wait !== undefined) {
        throttled.delete(day);
        return answer(429, JSON.stringify({ message: 'You have exceeded a secondary rate limit.', status: '429' }), { 'content-type': 'application/json', 'retry-after': String(wait) });
      }
      const file = fixture(`users-1-day.${day}.response.json`);
      if (report[2] !== (options.owner ?? 'acme') || !existsSync(file)) {
        return answer(404, JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest/copilot/copilot-usage-metrics', status: '404' }), { 'content-type': 'application/json; charset=utf-8' });
      }
      const body = readFileSync(file, 'utf8').replaceAll('{{DOWNLOAD_BASE}}', `http://localhost:${port}`);
      return answer(200, body, { 'content-type': 'application/json; charset=utf-8' });
    }
    const download = /^\/copilot-usage\/(\d{4}-\d{2}-\d{2})\/users-1-day\.part-(\d+)\.ndjson$/.exec(url.pathname);
    if (download && url.searchParams.get('sig')) {
      const key = `${download[1]}#${download[2]}`;
      const file = fixture(`users-1-day.${download[1]}.part-${download[2]}.ndjson`);
      const text = revised.get(key) ?? (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
      if (text !== undefined) return answer(200, text, { 'content-type': 'application/x-ndjson' });
    }
    return answer(404, '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code></Error>', { 'content-type': 'application/xml' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    throttleOnce: (day, seconds) => void throttled.set(day, seconds),
    revise: (day, part, text) => void revised.set(`${day}#${part}`, text),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
