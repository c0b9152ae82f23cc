import {
  type CopilotImportSummary,
  type CopilotScope,
  createCopilotReportClient,
  daysBetween,
  GITHUB_API_URL,
  importCopilotUsage,
  importCopilotUsageFile,
  ndjsonLines,
  type UsageSink,
} from '@rework-ledger/copilot';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion/core';
import { createHttpTelemetrySender } from '@rework-ledger/kafka-client';
import { loadConfig } from '@rework-ledger/platform';
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';
import { eventsPerSecond, progressBar } from '../progress';

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** GitHub keeps a year of reports; an import never asks for more days than that. */
const MAX_DAYS = 366;
/** Without --since: the last 28 days (GitHub revises recent days, so a daily run re-reads them). */
export const DEFAULT_DAYS = 28;

type Options = Readonly<Record<string, string | boolean | undefined>>;

/** `--since`/`--until` as days; defaults: until yesterday (UTC; today has no complete report), since 28 days back. */
export function importDays(options: Options, now: number): string[] {
  const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const until = stringOption(options, 'until') ?? dayOf(today - DAY_MS);
  const since = stringOption(options, 'since') ?? dayOf(today - DEFAULT_DAYS * DAY_MS);
  for (const [name, value] of [['since', since], ['until', until]] as const) {
    if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(`--${name} takes a day as YYYY-MM-DD (got ${value})`);
  }
  if (since > until) throw new UsageError(`--since (${since}) is after --until (${until})`);
  const days = daysBetween(since, until);
  if (days.length > MAX_DAYS) throw new UsageError(`at most ${MAX_DAYS} days per import (GitHub keeps a year of reports); got ${days.length}`);
  return days;
}

function scopeOf(options: Options): CopilotScope {
  const org = stringOption(options, 'org');
  const enterprise = stringOption(options, 'enterprise');
  if ((org === undefined) === (enterprise === undefined)) throw new UsageError('name the report owner: --org <org> or --enterprise <enterprise> (one of them)');
  const name = (org ?? enterprise) as string;
  if (!/^[A-Za-z0-9][A-Za-z0-9-_.]{0,99}$/.test(name)) throw new UsageError(`--${org ? 'org' : 'enterprise'} takes a GitHub organisation or enterprise slug (got ${name})`);
  return { kind: org ? 'org' : 'enterprise', name };
}

/**
 * Where the events go. Either way a login is sent as the employee id (normalised: lower case), which the read models
 * resolve through the identity links of system `github` (PRODUCT.md, "Identity"): no lookup at import.
 */
type Destination = Readonly<{ sink: UsageSink; describe: string; close(): Promise<void> }>;

/** Through the API (`--url`/`--api-key`, scope ingest): a scheduled job needs no database credentials; the key names the tenant. */
function apiDestination(url: string, apiKey: string): Destination {
  const sender = createHttpTelemetrySender({ baseUrl: url, apiKey });
  return { sink: (events) => sender.send(events, 0), describe: `${url.replace(/\/+$/, '')}/v1/events`, close: async () => undefined };
}

/** Through the database (DATABASE_URL, as the other importers): the tenant's event store. */
async function databaseDestination(tenant: string): Promise<Destination> {
  const runtime = await openCliRuntime();
  const store = createPostgresEventStore({ pool: runtime.pool });
  return {
    sink: (events) => ingestEvents(store, tenant, events),
    describe: `the event store of tenant "${tenant}"`,
    async close() {
      await store.close();
      await runtime.close();
    },
  };
}

/** `import copilot`: GitHub Copilot usage reports (users-1-day) → `ai.usage.recorded`, idempotent. */
export const importCopilotCommand: CliCommand = {
  name: ['import', 'copilot'],
  summary: 'import GitHub Copilot usage reports (users-1-day, per user and day) as ai.usage.recorded, from GitHub or a report file; re-runs are idempotent',
  usage:
    'import copilot (--org <org> | --enterprise <enterprise>) [--tenant <tenant>] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--base-url <github api>] [--file <report.ndjson>] [--url <api> --api-key <key>] [--batch <n>] [--no-progress]',
  options: {
    org: { type: 'string', description: 'the GitHub organisation whose report to import' },
    enterprise: { type: 'string', description: 'the GitHub enterprise whose report to import' },
    tenant: { type: 'string', description: 'the tenant (required when writing through the database; through the API the key names it)' },
    since: { type: 'string', description: 'first day (default: 28 days back)' },
    until: { type: 'string', description: 'last day (default: yesterday, UTC)' },
    'base-url': { type: 'string', description: `GitHub REST API (default ${GITHUB_API_URL}; GitHub Enterprise Server: https://HOST/api/v3)` },
    file: { type: 'string', description: 'a downloaded report (NDJSON user-day rows) instead of GitHub; - for stdin' },
    url: { type: 'string', description: 'write through the API at this URL (POST /v1/events) instead of the database' },
    'api-key': { type: 'string', description: 'API key with the ingest scope, for --url (default API_BOOTSTRAP_KEY)' },
    batch: { type: 'string', description: 'events per write (default 1000)' },
    'no-progress': { type: 'boolean', description: 'no progress bar' },
  },
  async run(options) {
    const scope = scopeOf(options);
    const file = stringOption(options, 'file');
    const days = file ? [] : importDays(options, Date.now());
    const batchText = stringOption(options, 'batch');
    const batchSize = batchText === undefined ? 1000 : Number(batchText);
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) throw new UsageError(`--batch takes a whole number from 1 to 10,000 (got ${batchText})`);
    // The token is read here, at the edge, and only ever sent to the GitHub API (never to the signed links, never printed).
    const token = stringOption({ token: process.env['GITHUB_TOKEN'] }, 'token');
    if (!file && token === undefined) throw new UsageError('set GITHUB_TOKEN to a token that can read Copilot metrics (or import a report --file)');
    const url = stringOption(options, 'url');
    const apiKey = stringOption(options, 'api-key') ?? (url ? loadConfig().bootstrap.apiKey : undefined);
    if (url && !apiKey) throw new UsageError('--url needs --api-key (or API_BOOTSTRAP_KEY)');
    const tenant = stringOption(options, 'tenant');
    if (!url && !tenant) throw new UsageError('--tenant is required when writing through the database (or write through the API: --url and --api-key)');

    const warn = (message: string) => process.stderr.write(`${message}\n`);
    if (url && tenant) warn(`--tenant ${tenant} is not used through the API: the facts go to the tenant of the API key`);
    const destination = url ? apiDestination(url, apiKey as string) : await databaseDestination(tenant as string);
    const startedAt = Date.now();
    const importDay = new Date(startedAt).toISOString().slice(0, 10);
    const showProgress = options['no-progress'] !== true;
    const base = { scope, importDay, sink: destination.sink, batchSize };
    let summary: CopilotImportSummary;
    try {
      if (file) {
        const input: Readable = file === '-' ? process.stdin : createReadStream(file);
        const total = file === '-' ? 0 : statSync(file).size;
        const bar = showProgress && total > 0 ? progressBar('importing copilot |{bar}| {percentage}% | {rows} rows | {rate} rows/s') : undefined;
        bar?.start(total, 0, { rows: 0, rate: 0 });
        try {
          summary = await importCopilotUsageFile(ndjsonLines(input), {
            ...base,
            onProgress: ({ rows, bytesRead }) => bar?.update(Math.min(bytesRead ?? total, total), { rows, rate: eventsPerSecond(rows, startedAt) }),
          });
        } finally {
          bar?.stop();
        }
      } else {
        const client = createCopilotReportClient({
          scope,
          token,
          ...(stringOption(options, 'base-url') ? { baseUrl: stringOption(options, 'base-url') } : {}),
          onWait: (ms, reason) => warn(`GitHub rate limit: waiting ${Math.ceil(ms / 1000)} s (${reason})`),
        });
        const bar = showProgress ? progressBar('importing copilot |{bar}| day {value}/{total} | {rows} rows | {rate} rows/s') : undefined;
        bar?.start(days.length, 0, { rows: 0, rate: 0 });
        try {
          summary = await importCopilotUsage(client, days, { ...base, onProgress: ({ daysDone, rows }) => bar?.update(daysDone, { rows, rate: eventsPerSecond(rows, startedAt) }) });
        } finally {
          bar?.stop();
        }
      }
    } finally {
      await destination.close();
    }

    process.stdout.write(`${JSON.stringify({ ...summary, ...(file ? {} : { since: days[0], until: days[days.length - 1] }), rowsPerSecond: eventsPerSecond(summary.rows, startedAt) })}\n`);
    warn(
      `imported the Copilot usage of the ${summary.scope} into ${destination.describe}: ${summary.rows} rows, ${summary.accepted} new facts, ${summary.duplicates} already stored` +
        (summary.missingDays.length > 0 ? `; no report for ${summary.missingDays.length} day(s)` : ''),
    );
    const rejected = Object.values(summary.rejected).reduce((total, n) => total + n, 0);
    if (rejected > 0) throw new Error(`${rejected} facts were refused by the contract (${Object.keys(summary.rejected).join(', ')}): see the summary`);
  },
};
