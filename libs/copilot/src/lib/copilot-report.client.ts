// The GitHub REST client of the Copilot usage-metrics reports: the day's report links, then the signed NDJSON files.
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CopilotScope } from './copilot-usage.mapping';
import { type NdjsonLine, ndjsonLines } from './ndjson-lines';

export const GITHUB_API_URL = 'https://api.github.com';
/** The REST API version the report endpoints are documented under. */
export const GITHUB_API_VERSION = '2022-11-28';

export type CopilotReportErrorCode = 'COPILOT.UNAUTHORIZED' | 'COPILOT.FORBIDDEN' | 'COPILOT.BAD_RESPONSE' | 'COPILOT.UNAVAILABLE';

/** A report request that failed; `retriable` says whether running the import again later may succeed. */
export class CopilotReportError extends Error {
  constructor(
    readonly code: CopilotReportErrorCode,
    message: string,
    readonly retriable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CopilotReportError';
  }
}

/** The day's report: its signed download links, or none (GitHub has no report for that day: 404, or 204). */
export type DayReport = Readonly<{ status: 'available'; reportDay: string; links: readonly string[] }> | Readonly<{ status: 'missing'; httpStatus: number }>;

export type CopilotReportClientOptions = Readonly<{
  scope: CopilotScope;
  /** `https://api.github.com` by default; GitHub Enterprise Server: `https://HOST/api/v3`. */
  baseUrl?: string;
  /** A token allowed to read Copilot metrics (sent to the REST API only, never to the signed download links). */
  token?: string;
  fetch?: typeof fetch;
  /** Waits (injected by tests, which record the waits instead of taking them). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Attempts after the first, for rate limits and server errors (default 6). */
  retries?: number;
  /** The longest single wait (default 15 minutes): a longer `Retry-After` or reset fails the request instead. */
  maxWaitMs?: number;
  /** Told of each wait and why (for the CLI's stderr). */
  onWait?: (ms: number, reason: string) => void;
}>;

export type CopilotReportClient = Readonly<{
  /** `GET /orgs/{org}/copilot/metrics/reports/users-1-day?day=` (or the enterprise's). */
  dayReport(day: string): Promise<DayReport>;
  /** The lines of one signed NDJSON file, streamed. */
  download(link: string): AsyncGenerator<NdjsonLine>;
}>;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The report path of a scope and day. */
export function usersDayReportPath(scope: CopilotScope, day: string): string {
  const owner = scope.kind === 'org' ? `orgs/${encodeURIComponent(scope.name)}` : `enterprises/${encodeURIComponent(scope.name)}`;
  return `/${owner}/copilot/metrics/reports/users-1-day?day=${encodeURIComponent(day)}`;
}

/**
 * How long a response asks to wait before the next request (GitHub's REST rate-limit rules): `Retry-After` seconds
 * when sent; else, with `x-ratelimit-remaining: 0`, until `x-ratelimit-reset` (epoch seconds); else undefined.
 */
export function rateLimitWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now) + 1000;
  }
  return undefined;
}

/**
 * A client of the users-1-day report endpoints. Rate limits are honoured: a 429 or 403 that says to wait
 * (`Retry-After`, or `x-ratelimit-remaining: 0` with its reset) is retried after that wait; a 403 or 429 without one
 * waits a minute, then longer (GitHub's advice for secondary limits); 5xx and network errors are retried with backoff;
 * and when a successful answer says no requests remain, the next request waits for the reset.
 */
export function createCopilotReportClient(options: CopilotReportClientOptions): CopilotReportClient {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const retries = options.retries ?? 6;
  const maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
  const baseUrl = (options.baseUrl ?? GITHUB_API_URL).replace(/\/+$/, '');
  let resumeAt = 0;

  const wait = async (ms: number, reason: string) => {
    if (ms > maxWaitMs) throw new CopilotReportError('COPILOT.UNAVAILABLE', `${reason}: GitHub asks to wait ${Math.ceil(ms / 1000)} s, more than the ${Math.round(maxWaitMs / 1000)} s allowed; run the import again later`, true);
    options.onWait?.(ms, reason);
    await sleep(ms);
  };

  /** One request with the retry rules; `github` requests carry the token and GitHub's headers, downloads nothing. */
  async function request(url: string, github: boolean): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      if (github && resumeAt > now()) await wait(resumeAt - now(), 'rate limit exhausted');
      let failure: string;
      let waitMs: number | undefined;
      try {
        const headers: Record<string, string> = github
          ? { accept: 'application/vnd.github+json', 'x-github-api-version': GITHUB_API_VERSION, 'user-agent': 'rework-ledger-copilot-import', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) }
          : { 'user-agent': 'rework-ledger-copilot-import' };
        const response = await doFetch(url, { headers, redirect: 'follow' });
        const limit = rateLimitWaitMs(response.headers, now());
        if (response.ok || response.status === 404 || response.status === 204) {
          if (github && response.headers.get('x-ratelimit-remaining') === '0' && limit !== undefined) resumeAt = now() + limit;
          return response;
        }
        const text = await response.text().catch(() => '');
        const message = githubMessage(text);
        if (response.status === 401) throw new CopilotReportError('COPILOT.UNAUTHORIZED', `GitHub answered 401 (${message}): set GITHUB_TOKEN to a token that can read Copilot metrics`, false, 401);
        const rateLimited = response.status === 429 || (response.status === 403 && (limit !== undefined || /rate limit/i.test(message)));
        if (response.status === 403 && !rateLimited) {
          throw new CopilotReportError('COPILOT.FORBIDDEN', `GitHub answered 403 (${message}): the token needs the "Copilot metrics" read permission (fine-grained) or manage_billing:copilot / read:org (classic), and the Copilot usage metrics policy must be enabled`, false, 403);
        }
        if (!rateLimited && response.status < 500) throw new CopilotReportError('COPILOT.BAD_RESPONSE', `GitHub answered ${response.status} (${message}) for ${describe(url, github)}`, false, response.status);
        failure = `HTTP ${response.status}`;
        waitMs = rateLimited ? (limit ?? 60_000 * 2 ** attempt) : 1000 * 2 ** attempt;
      } catch (error) {
        if (error instanceof CopilotReportError) throw error;
        failure = (error as Error).message;
        waitMs = 1000 * 2 ** attempt;
      }
      if (attempt >= retries) throw new CopilotReportError('COPILOT.UNAVAILABLE', `gave up on ${describe(url, github)} after ${attempt + 1} attempts: ${failure}`, true);
      await wait(waitMs, `${failure} on ${describe(url, github)}`);
    }
  }

  return {
    async dayReport(day) {
      const response = await request(`${baseUrl}${usersDayReportPath(options.scope, day)}`, true);
      if (response.status === 404 || response.status === 204) {
        await response.body?.cancel().catch(() => undefined);
        return { status: 'missing', httpStatus: response.status };
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new CopilotReportError('COPILOT.BAD_RESPONSE', `the report of ${day} is not JSON`, false, response.status);
      }
      const links = (body as { download_links?: unknown })?.download_links;
      if (!Array.isArray(links) || links.some((link) => typeof link !== 'string')) {
        throw new CopilotReportError('COPILOT.BAD_RESPONSE', `the report of ${day} has no download_links list`, false, response.status);
      }
      const reportDay = (body as { report_day?: unknown }).report_day;
      return { status: 'available', reportDay: typeof reportDay === 'string' ? reportDay.slice(0, 10) : day, links };
    },

    async *download(link) {
      const response = await request(link, false);
      if (response.status === 404 || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        throw new CopilotReportError('COPILOT.BAD_RESPONSE', `a download link answered ${response.status} (signed links expire: run the import again)`, true, response.status);
      }
      yield* ndjsonLines(response.body as WebReadableStream<Uint8Array>);
    },
  };
}

/** GitHub's error `message`, else the start of the body. */
function githubMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200) || 'no message';
}

/** A URL for messages: the REST path, or a download link without its signature (query). */
function describe(url: string, github: boolean): string {
  try {
    const parsed = new URL(url);
    return github ? `${parsed.pathname}${parsed.search}` : `download ${parsed.host}${parsed.pathname}`;
  } catch {
    return github ? url : 'a download link';
  }
}
