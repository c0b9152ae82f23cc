// The Copilot usage import: report days (or a file) → user-day rows → `ai.usage.recorded`, sent a batch at a time.
import type { CopilotReportClient } from './copilot-report.client';
import { type CopilotScope, type CopilotSkipReason, type CopilotUsageEvent, type CopilotUserDay, parseUsageLine, usageEventOf } from './copilot-usage.mapping';
import type { NdjsonLine } from './ndjson-lines';

/** Where the events go: the event store (ingestEvents) or the API (POST /v1/events); answers as both do. */
export type UsageSink = (events: readonly CopilotUsageEvent[]) => Promise<Readonly<{ accepted: number; duplicates: number; rejected: readonly Readonly<{ errors: readonly { code: string }[] }>[] }>>;

export type ImportProgress = Readonly<{ daysDone: number; rows: number; bytesRead?: number }>;

export type CopilotImportOptions = Readonly<{
  scope: CopilotScope;
  /** The UTC day of this import (YYYY-MM-DD), part of each event id. */
  importDay: string;
  sink: UsageSink;
  /** Events per send (default 1000). */
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
}>;

/** What an import did. */
export type CopilotImportSummary = {
  scope: string;
  /** The days asked for; of these, the ones GitHub had no report for (404). */
  days: number;
  missingDays: string[];
  links: number;
  /** Non-blank NDJSON lines read. */
  rows: number;
  events: number;
  accepted: number;
  duplicates: number;
  /** Events the contract refused, by error code (the contract's own validator: should stay 0). */
  rejected: Record<string, number>;
  /** Rows that became no event, by reason. */
  skipped: Partial<Record<CopilotSkipReason, number>>;
  /** Distinct logins of the rows (each the employee id of its usage, until an identity link says whose it is). */
  users: number;
};

/** The UTC days from `since` to `until`, both included (YYYY-MM-DD). */
export function daysBetween(since: string, until: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${since}T00:00:00Z`); at <= Date.parse(`${until}T00:00:00Z`); at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** The batching and counting shared by both kinds of import. */
function createImportRun(options: CopilotImportOptions) {
  const batchSize = options.batchSize ?? 1000;
  const summary: CopilotImportSummary = {
    scope: `${options.scope.kind === 'org' ? 'organisation' : 'enterprise'} ${options.scope.name}`,
    days: 0,
    missingDays: [],
    links: 0,
    rows: 0,
    events: 0,
    accepted: 0,
    duplicates: 0,
    rejected: {},
    skipped: {},
    users: 0,
  };
  // One entry per distinct login (a few thousand at most): the memory of an import does not grow with its rows.
  const logins = new Set<string>();
  let batch: CopilotUserDay[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const events = batch.map((userDay) => usageEventOf(userDay, { scope: options.scope, importDay: options.importDay }));
    batch = [];
    const answer = await options.sink(events);
    summary.events += events.length;
    summary.accepted += answer.accepted;
    summary.duplicates += answer.duplicates;
    for (const rejection of answer.rejected) {
      const code = rejection.errors[0]?.code ?? 'UNKNOWN';
      summary.rejected[code] = (summary.rejected[code] ?? 0) + 1;
    }
  };

  return {
    summary,
    flush,
    async line(line: NdjsonLine, reportDay?: string) {
      summary.rows += 1;
      const result = parseUsageLine(line.text, reportDay);
      if (!result.ok) {
        summary.skipped[result.reason] = (summary.skipped[result.reason] ?? 0) + 1;
        return;
      }
      logins.add(result.userDay.login);
      summary.users = logins.size;
      batch.push(result.userDay);
      if (batch.length >= batchSize) await flush();
    },
  };
}

/**
 * Imports the users-1-day reports of `days` through the client: for each day its report links (a day without a report
 * is listed, not an error), each link's NDJSON streamed row by row, mapped and sent in batches.
 */
export async function importCopilotUsage(client: CopilotReportClient, days: readonly string[], options: CopilotImportOptions): Promise<CopilotImportSummary> {
  const run = createImportRun(options);
  for (const [index, day] of days.entries()) {
    const report = await client.dayReport(day);
    run.summary.days += 1;
    if (report.status === 'missing') {
      run.summary.missingDays.push(day);
    } else {
      for (const link of report.links) {
        run.summary.links += 1;
        for await (const line of client.download(link)) {
          await run.line(line, report.reportDay);
          if (run.summary.rows % 1000 === 0) options.onProgress?.({ daysDone: index, rows: run.summary.rows });
        }
      }
      await run.flush();
    }
    options.onProgress?.({ daysDone: index + 1, rows: run.summary.rows });
  }
  await run.flush();
  return run.summary;
}

/** Imports one report file (NDJSON user-day rows, e.g. a downloaded report), streamed. */
export async function importCopilotUsageFile(lines: AsyncIterable<NdjsonLine>, options: CopilotImportOptions): Promise<CopilotImportSummary> {
  const run = createImportRun(options);
  for await (const line of lines) {
    await run.line(line);
    if (run.summary.rows % 1000 === 0) options.onProgress?.({ daysDone: 0, rows: run.summary.rows, bytesRead: line.bytesRead });
  }
  await run.flush();
  options.onProgress?.({ daysDone: 0, rows: run.summary.rows });
  return run.summary;
}
