import { type EventStore, type Position, START, type StoredEvent, createPostgresEventStore } from '@rework-ledger/event-store';
import { toCloudEventJson } from '@rework-ledger/kafka-client';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Pool } from 'pg';
import { openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';
import { eventsPerSecond, progressBar } from '../progress';

export type ExportSummary = { tenant: string; events: number; out: string; eventsPerSecond: number };

export type ExportOptions = Readonly<{
  store: EventStore;
  tenant: string;
  output: Writable;
  /** Events per read (default 2000): memory stays bounded by one page whatever the tenant's size. */
  pageSize?: number;
  /** Told of the events written so far, after each page. */
  onProgress?: (events: number) => void;
}>;

/** A stored event as a structured-mode CloudEvent with its `tenant` extension: what `events send` and Kafka take back. */
export function storedEventToCloudEvent(event: StoredEvent): Record<string, unknown> {
  return toCloudEventJson(event.tenant, {
    tenant: event.tenant,
    id: event.id,
    source: event.source,
    type: event.type as Parameters<typeof toCloudEventJson>[1]['type'],
    time: event.time,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    data: event.data,
  });
}

/**
 * Writes every stored event of a tenant as NDJSON, in the store's global order, a page at a time (paged reads by
 * position, waiting for the output to drain), so that a backup of any size runs in constant memory. Events stored
 * while it runs are included up to the moment it catches up. Answers the number of events written.
 */
export async function exportTenantEvents(options: ExportOptions): Promise<number> {
  const pageSize = options.pageSize ?? 2000;
  let after: Position = START;
  let written = 0;
  for (;;) {
    const page = await options.store.readAll({ after, limit: pageSize, tenant: options.tenant });
    if (page.length === 0) return written;
    const chunk = page.map((event) => `${JSON.stringify(storedEventToCloudEvent(event))}\n`).join('');
    if (!options.output.write(chunk)) await once(options.output, 'drain');
    written += page.length;
    after = page[page.length - 1].position;
    options.onProgress?.(written);
  }
}

// The progress bar's total; the store's port has no per-tenant count, and the CLI works on PostgreSQL only.
async function countTenantEvents(pool: Pool, tenant: string): Promise<number> {
  const { rows } = await pool.query<{ events: string }>('SELECT count(*)::text AS events FROM events WHERE tenant = $1', [tenant]);
  return Number(rows[0].events);
}

/**
 * `events export`: a tenant's events as NDJSON CloudEvents, the backup of the embedded default (which ships no
 * PostgreSQL client tools). The log is the source of truth: `events send` puts the file back (a re-send is all
 * duplicates) and the projections rebuild every read model from it.
 */
export const eventsExportCommand: CliCommand = {
  name: ['events', 'export'],
  summary: "write every stored event of a tenant as NDJSON CloudEvents (a backup that `events send` restores; progress bar)",
  usage: 'events export --tenant <tenant> [--out <events.ndjson>] [--page <events>]',
  options: {
    tenant: { type: 'string', description: 'the tenant' },
    out: { type: 'string', description: 'write to this file, complete or not at all (default: stdout)' },
    page: { type: 'string', description: 'events per read (default 2000)' },
  },
  async run(options) {
    const tenant = stringOption(options, 'tenant');
    if (!tenant) throw new UsageError('--tenant is required');
    const pageText = stringOption(options, 'page');
    const pageSize = pageText === undefined ? 2000 : Number(pageText);
    if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 10_000)) throw new UsageError(`--page takes a whole number from 1 to 10,000 (got ${pageText})`);
    const out = stringOption(options, 'out');
    const summary = await exportToFileOrStdout(tenant, out, pageSize);
    process.stderr.write(`exported ${summary.events} events of tenant "${tenant}" to ${summary.out} (${summary.eventsPerSecond} events/s)\n`);
  },
};

async function exportToFileOrStdout(tenant: string, out: string | undefined, pageSize: number): Promise<ExportSummary> {
  const runtime = await openCliRuntime();
  const store = createPostgresEventStore({ pool: runtime.pool });
  // A file is written beside its name and renamed when complete, so an interrupted backup never looks like one.
  const partial = out ? `${out}.partial` : undefined;
  const output: Writable = partial ? createWriteStream(partial, { mode: 0o600 }) : process.stdout;
  const bar = progressBar(`exporting ${tenant} |{bar}| {percentage}% | {value}/{total} events | {rate} events/s`);
  const startedAt = Date.now();
  let events = 0;
  try {
    bar.start(Math.max(1, await countTenantEvents(runtime.pool, tenant)), 0, { rate: 0 });
    events = await exportTenantEvents({
      store,
      tenant,
      output,
      pageSize,
      onProgress: (written) => {
        if (written > bar.getTotal()) bar.setTotal(written);
        bar.update(written, { rate: eventsPerSecond(written, startedAt) });
      },
    });
    if (partial && out) {
      output.end();
      await once(output, 'finish');
      await rename(partial, out);
    }
  } catch (error) {
    if (partial) {
      output.destroy();
      await rm(partial, { force: true });
    }
    throw error;
  } finally {
    bar.stop();
    await store.close();
    await runtime.close();
  }
  return { tenant, events, out: out ?? 'stdout', eventsPerSecond: eventsPerSecond(events, startedAt) };
}
