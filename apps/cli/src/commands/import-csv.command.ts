import {
  createDateParser,
  createRejectedFile,
  type CourseLookup,
  csvRecords,
  type CsvEventSink,
  type CsvImportKind,
  type CsvImportSummary,
  CsvImportError,
  IMPORT_FIELDS,
  importCsv,
  parseColumnMap,
  parseIsoDate,
  rejectedFilePath,
} from '@rework-ledger/csv-import';
import { streamNames } from '@rework-ledger/domain';
import { createPostgresEventStore, type EventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion/core';
import { createHttpTelemetrySender } from '@rework-ledger/kafka-client';
import { loadConfig } from '@rework-ledger/platform';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CliRuntime, openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';
import { eventsPerSecond, progressBar } from '../progress';

type Options = Readonly<Record<string, string | boolean | undefined>>;

/** Rejected rows named in the output; the rest are in the rejected file. */
const REJECTIONS_SHOWN = 20;

/** Where the events go: the tenant's event store, or the API (whose key names the tenant). */
type Destination = Readonly<{ sink: CsvEventSink; courseExists?: CourseLookup; describe: string; close(): Promise<void> }>;

/** Through the API (`--url`/`--api-key`, scope ingest): a scheduled job needs no database credentials. */
function apiDestination(url: string, apiKey: string): Destination {
  const sender = createHttpTelemetrySender({ baseUrl: url, apiKey });
  return { sink: (events) => sender.send(events, 0), describe: `${url.replace(/\/+$/, '')}/v1/events`, close: async () => undefined };
}

/**
 * Through the database (DATABASE_URL), opened at the first write or look-up: a file refused for its header never
 * touches the database. A completion's course must be registered: its course stream holds a
 * `training.course_registered` in the event store. The store, not the training read model, is asked so that
 * `import courses` then `import completions` works at once, before any projection has run.
 */
function databaseDestination(tenant: string): Destination {
  let opened: Promise<{ runtime: CliRuntime; store: EventStore }> | undefined;
  const open = () =>
    (opened ??= openCliRuntime().then((runtime) => ({ runtime, store: createPostgresEventStore({ pool: runtime.pool }) })));
  return {
    sink: async (events) => ingestEvents((await open()).store, tenant, events),
    courseExists: async (courseId) => {
      const { store } = await open();
      return (await store.readStream(tenant, streamNames.course(courseId), { limit: 1 })).some((event) => event.type === 'training.course_registered');
    },
    describe: `the event store of tenant "${tenant}"`,
    async close() {
      // A database that could not be opened has nothing to close (and its error is already on its way).
      const ready = await opened?.catch(() => undefined);
      if (ready === undefined) return;
      await ready.store.close();
      await ready.runtime.close();
    },
  };
}

/** A `--map` or `--date-format` that cannot mean anything is a mistake in the call: printed with the usage (exit 2). */
function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw error instanceof CsvImportError ? new UsageError(error.message) : error;
  }
}

/** `--effective-from`: an ISO 8601 date or instant (UTC unless it carries an offset). */
function effectiveFromOption(options: Options): string | undefined {
  const text = stringOption(options, 'effective-from');
  if (text === undefined) return undefined;
  const result = parseIsoDate(text);
  if (!result.ok) throw new UsageError(`--effective-from: ${result.reason}`);
  return result.iso;
}

/** The one file argument, which must be a readable file: else nothing is imported and the command exits non-zero. */
function fileArgument(positionals: readonly string[]): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the CSV file to import' : `one file at a time (got ${positionals.join(', ')})`);
  const file = resolve(positionals[0]);
  try {
    if (!statSync(file).isFile()) throw new CsvImportError('CSV.FILE_UNREADABLE', `cannot read ${file}: not a file`);
  } catch (error) {
    if (error instanceof CsvImportError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CsvImportError('CSV.FILE_UNREADABLE', `cannot read ${file}: ${reason}`);
  }
  return file;
}

/** The summary lines: what happened, where the rejected rows are; the last line is the counts. */
function report(summary: CsvImportSummary, file: string, destination: string | undefined, rowsPerSecond: number): string {
  const lines: string[] = [];
  if (summary.rejectedFile) lines.push(`rejected rows, with their line and reason: ${summary.rejectedFile}`);
  lines.push(
    summary.dryRun
      ? `dry run, nothing stored: ${summary.rows} rows of ${file}, ${summary.events} events to import`
      : `${summary.rows} rows of ${file} → ${destination}: ${summary.events} events (${rowsPerSecond} rows/s)`,
  );
  lines.push(`imported ${summary.imported}, duplicates ${summary.duplicates}, rejected ${summary.rejected}`);
  return `${lines.join('\n')}\n`;
}

const FIELD_LIST: Record<CsvImportKind, string> = {
  directory: `${[...IMPORT_FIELDS.directory.required, ...IMPORT_FIELDS.directory.optional].map((field) => `${field}=Col`).join(',')},identity.<system>=Col`,
  completions: [...IMPORT_FIELDS.completions.required, ...IMPORT_FIELDS.completions.optional].map((field) => `${field}=Col`).join(','),
  courses: [...IMPORT_FIELDS.courses.required, ...IMPORT_FIELDS.courses.optional].map((field) => `${field}=Col`).join(','),
};

const WHAT: Record<CsvImportKind, string> = {
  directory: 'an HR directory export as employee.assigned (at each row\'s effectiveFrom) and employee.identity_linked (identity.<system> columns)',
  completions: 'an LMS completion export as training.completed (at completedAt)',
  courses: 'an LMS course catalogue as training.course_registered (lists in a cell separated by |)',
};

/** `import directory|completions|courses <file.csv>`: a CSV export → contract events, streamed; bad rows to `*.rejected.csv`. */
function importCsvCommand(kind: CsvImportKind): CliCommand {
  const dated = kind !== 'courses';
  return {
    name: ['import', kind],
    summary: `import ${WHAT[kind]}; bad rows go to <file>.rejected.csv; re-runs are idempotent (docs/imports.md)`,
    usage:
      `import ${kind} <file.csv> [--tenant <tenant>] [--map ${FIELD_LIST[kind]}]` +
      `${dated ? ' [--date-format <fmt>]' : ''}${kind === 'directory' ? ' [--effective-from <date>]' : ''} [--dry-run] [--url <api> --api-key <key>] [--batch <n>] [--no-progress]`,
    options: {
      tenant: { type: 'string', description: 'the tenant (required through the database; through the API the key names it)' },
      map: { type: 'string', description: 'field=Column pairs, comma-separated (default: columns named like the fields)' },
      ...(dated ? { 'date-format': { type: 'string' as const, description: 'tokens YYYY MM DD HH mm ss, e.g. "DD/MM/YYYY HH:mm" (default ISO 8601); UTC unless a value carries an offset' } } : {}),
      ...(kind === 'directory' ? { 'effective-from': { type: 'string' as const, description: 'the time of rows without effectiveFrom (default 1970-01-01)' } } : {}),
      'dry-run': { type: 'boolean', description: 'read, map and check every row, store nothing' },
      url: { type: 'string', description: 'write through the API at this URL (POST /v1/events) instead of the database' },
      'api-key': { type: 'string', description: 'API key with the ingest scope, for --url (default API_BOOTSTRAP_KEY)' },
      batch: { type: 'string', description: 'events per write (default 1000)' },
      'no-progress': { type: 'boolean', description: 'no progress bar' },
    },
    async run(options, positionals) {
      const file = fileArgument(positionals);
      const map = asUsageError(() => parseColumnMap(kind, stringOption(options, 'map')));
      const parseDate = asUsageError(() => createDateParser(dated ? stringOption(options, 'date-format') : undefined));
      const effectiveFrom = kind === 'directory' ? effectiveFromOption(options) : undefined;
      const batchText = stringOption(options, 'batch');
      const batchSize = batchText === undefined ? 1000 : Number(batchText);
      if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) throw new UsageError(`--batch takes a whole number from 1 to 10,000 (got ${batchText})`);
      const dryRun = options['dry-run'] === true;
      const url = stringOption(options, 'url');
      const apiKey = stringOption(options, 'api-key') ?? (url ? loadConfig().bootstrap.apiKey : undefined);
      if (url && !apiKey) throw new UsageError('--url needs --api-key (or API_BOOTSTRAP_KEY)');
      const tenant = stringOption(options, 'tenant');
      if (!url && !tenant && !dryRun) throw new UsageError('--tenant is required when writing through the database (or write through the API: --url and --api-key)');
      const warn = (message: string) => process.stderr.write(`${message}\n`);
      if (url && tenant) warn(`--tenant ${tenant} is not used through the API: the events go to the tenant of the API key`);
      if (url && kind === 'completions') warn('through the API, courses are not checked: a completion of a course never registered is stored (see docs/imports.md)');

      const destination = dryRun ? undefined : url ? apiDestination(url, apiKey as string) : databaseDestination(tenant as string);
      const startedAt = Date.now();
      const total = statSync(file).size;
      const input = createReadStream(file);
      const bar = options['no-progress'] !== true && total > 0 ? progressBar(`importing ${kind} |{bar}| {percentage}% | {rows} rows | {rate} rows/s`) : undefined;
      bar?.start(total, 0, { rows: 0, rate: 0 });
      const shown: string[] = [];
      let summary: CsvImportSummary;
      try {
        summary = await importCsv(csvRecords(input), {
          kind,
          map,
          parseDate,
          // Through the API the key's tenant is unknown here: the contract is checked with a stand-in (only its length counts).
          tenant: tenant ?? 'api-key-tenant',
          ...(effectiveFrom ? { effectiveFrom } : {}),
          importedAt: new Date(startedAt).toISOString(),
          ...(destination ? { sink: destination.sink } : {}),
          ...(destination?.courseExists ? { courseExists: destination.courseExists } : {}),
          rejectedFile: (header) => createRejectedFile(rejectedFilePath(file), header),
          onRejected: (line, reason) => {
            if (shown.length < REJECTIONS_SHOWN) shown.push(`line ${line}: ${reason}`);
          },
          batchSize,
          onProgress: ({ rows }) => bar?.update(Math.min(input.bytesRead, total), { rows, rate: eventsPerSecond(rows, startedAt) }),
        });
        bar?.update(total);
      } finally {
        bar?.stop();
        await destination?.close();
      }
      const more = summary.rejected - shown.length;
      const rejections = shown.length > 0 ? `${shown.join('\n')}\n${more > 0 ? `… and ${more} more\n` : ''}` : '';
      process.stdout.write(rejections + report(summary, file, destination?.describe, eventsPerSecond(summary.rows, startedAt)));
      // The rows before it are imported; a scheduled job must still see that the file was not read to its end.
      if (summary.unreadableFrom !== undefined) throw new CsvImportError('CSV.UNREADABLE', `${file} could not be read from line ${summary.unreadableFrom} on (see the rejected rows)`);
    },
  };
}

export const importDirectoryCommand = importCsvCommand('directory');
export const importCompletionsCommand = importCsvCommand('completions');
export const importCoursesCommand = importCsvCommand('courses');
