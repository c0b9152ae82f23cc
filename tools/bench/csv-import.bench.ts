// CSV directory import: rows/s and peak RSS for a million-row HR export (issue 12 item 4: streamed, constant memory).
// A Workday-like file is written first (UTF-8 with BOM, CRLF, quoted names with commas, non-ASCII teams, an email
// column as identity.email, US dates; 250,000 employees × 4 effective-dated rows; one row in 1,000 bad); then it is
// imported as `import directory` does: csv-parse → map → contract check → batches of 1000 events. Peak RSS is sampled
// during each run, and read after the first tenth of the rows and at the end: equal figures mean the memory does not
// grow with the rows. Run:
//   npm run bench:csv
// Options (environment): BENCH_CSV_ROWS (default 1000000), BENCH_CSV_STORE=0 (parse + map only), DATABASE_URL.
import 'reflect-metadata';
import { createDateParser, createRejectedFile, csvRecords, type CsvEventSink, type CsvImportSummary, importCsv, parseColumnMap, rejectedFilePath } from '@rework-ledger/csv-import';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion/core';
import { createPool } from '@rework-ledger/platform';
import { migrateAll } from '@rework-ledger/runtime';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase } from './bench-database';

const ROWS = Number(process.env['BENCH_CSV_ROWS'] ?? 1_000_000);
const STORE = process.env['BENCH_CSV_STORE'] !== '0';
const HISTORY = 4;
const TEAMS = ['Équipe Données', 'Platform Engineering', 'R&D "Labs"', 'Finance, Controlling', 'Customer Success', 'Legal'];
const MAP = 'employeeId=Employee ID,teamId=Supervisory Organization,role=Business Title,hourlyCost=Hourly Rate,effectiveFrom=Effective Date,identity.email=Work Email';
const MB = 1024 * 1024;

const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** Row `index`: employee index / HISTORY, its (index % HISTORY)-th assignment; every 1000th row has a negative rate. */
function row(index: number): string {
  const employee = Math.floor(index / HISTORY);
  const version = index % HISTORY;
  const month = String(1 + version * 3).padStart(2, '0');
  const rate = index % 1000 === 999 ? '-10' : (40 + (employee % 50) + version * 2.5).toFixed(2);
  return [
    `E${String(employee).padStart(7, '0')}`,
    quote(`Lastname${employee}, Zoë`),
    quote(TEAMS[(employee + version) % TEAMS.length]),
    quote(version === 3 ? 'Lead Analyst, Data' : 'Analyst'),
    rate,
    `${month}/01/2025`,
    `Zoe.Lastname${employee}@Example.com`,
  ].join(',');
}

async function writeDirectory(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('\uFEFFEmployee ID,Worker,Supervisory Organization,Business Title,Hourly Rate,Effective Date,Work Email\r\n');
  for (let i = 0; i < ROWS; i++) {
    if (!out.write(`${row(i)}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

type Figure = { summary: CsvImportSummary; rowsPerSecond: number; eventsPerSecond: number; peakEarlyMb: number; peakMb: number };

/** Imports the file as `import directory` does, sampling RSS; the peak after the first tenth of the rows and at the end. */
async function measure(file: string, sink: CsvEventSink | undefined, tenant: string): Promise<Figure> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  let peakEarly = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const startedAt = performance.now();
  const summary = await importCsv(csvRecords(createReadStream(file)), {
    kind: 'directory',
    map: parseColumnMap('directory', MAP),
    parseDate: createDateParser('MM/DD/YYYY'),
    tenant,
    importedAt: '2026-12-06T00:00:00Z',
    ...(sink ? { sink } : {}),
    rejectedFile: (header) => createRejectedFile(rejectedFilePath(file), header),
    onProgress: ({ rows }) => {
      peak = Math.max(peak, process.memoryUsage().rss);
      if (rows <= ROWS / 10) peakEarly = peak;
    },
  });
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  return {
    summary,
    rowsPerSecond: Math.round(summary.rows / seconds),
    eventsPerSecond: Math.round(summary.events / seconds),
    peakEarlyMb: Math.round(peakEarly / MB),
    peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / MB),
  };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'rl-csv-bench-'));
  const file = join(folder, 'directory.csv');
  const database = STORE ? await createBenchDatabase() : undefined;
  const pool = database ? createPool(database.url, { max: 4 }) : undefined;
  try {
    await writeDirectory(file);
    if (pool) await migrateAll(pool);
    console.log(
      `CSV directory import bench — load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} — ${ROWS} rows (${ROWS / HISTORY} employees × ${HISTORY} assignments, ` +
        `${Math.round(statSync(file).size / MB)} MB, one row in 1000 bad), ${database?.server ?? 'no database'}, node ${process.version}`,
    );
    const line = (name: string, figure: Figure, note: string) =>
      console.log(
        `${name.padEnd(34)} ${String(figure.rowsPerSecond).padStart(7)} rows/s ${String(figure.eventsPerSecond).padStart(7)} events/s   ` +
          `peak RSS ${figure.peakEarlyMb} MB after ${ROWS / 10} rows, ${figure.peakMb} MB at the end   ${note}`,
      );
    const dry = await measure(file, undefined, 'bench-csv');
    line('parse + map + check (dry run)', dry, `${dry.summary.events} events, ${dry.summary.rejected} rows rejected`);
    if (!pool) return;
    const store = createPostgresEventStore({ pool });
    const stored = await measure(file, (events) => ingestEvents(store, 'bench-csv', events), 'bench-csv');
    line('file → event store (ingestEvents)', stored, `${stored.summary.imported} stored, ${stored.summary.duplicates} duplicates, ${stored.summary.rejected} rejected`);
    await store.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await pool?.end();
    await database?.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
