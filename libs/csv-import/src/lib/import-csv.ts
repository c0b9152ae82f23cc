// A CSV import run: records → rows → contract events, sent a batch at a time; bad rows to the rejected file.
import { type ColumnMap, type CsvImportKind, resolveColumns } from './column-mapping';
import { CsvImportError } from './csv-import.errors';
import type { CsvRecord } from './csv-records';
import type { DateParser } from './date-format';
import { type CsvEvent, mapRow } from './row-mapping';
import type { RejectedFile } from './rejected-file';

/** Where the events go: the event store (ingestEvents) or the API (POST /v1/events); answers as both do. */
export type CsvEventSink = (events: readonly CsvEvent[]) => Promise<
  Readonly<{ accepted: number; queued?: number; duplicates: number; rejected: readonly Readonly<{ index: number; errors: readonly { code: string; message: string }[] }>[] }>
>;

/** Whether a course is registered (for completions; absent when it cannot be known, e.g. through the API). */
export type CourseLookup = (courseId: string) => Promise<boolean>;

export type CsvImportProgress = Readonly<{ rows: number }>;

export type CsvImportOptions = Readonly<{
  kind: CsvImportKind;
  map: ColumnMap;
  parseDate: DateParser;
  tenant: string;
  effectiveFrom?: string;
  importedAt: string;
  /** Absent: a dry run, nothing is sent. */
  sink?: CsvEventSink;
  courseExists?: CourseLookup;
  /** Made once the header is read (it carries the input's header). */
  rejectedFile: (header: readonly string[]) => RejectedFile;
  /** Told of each rejected row as it is written (the command names the first ones). */
  onRejected?: (line: number, reason: string) => void;
  /** Events per send (default 1000). */
  batchSize?: number;
  onProgress?: (progress: CsvImportProgress) => void;
}>;

/** What an import did. `imported` and `duplicates` count events (a directory row with identity columns makes several); `rejected` counts rows. */
export type CsvImportSummary = {
  kind: CsvImportKind;
  /** Data rows read (the header and blank lines not counted). */
  rows: number;
  events: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** The rejected-rows file, when a row was rejected. */
  rejectedFile?: string;
  /** The line from which the file could not be read (a quote never closed): the rows before it were imported. */
  unreadableFrom?: number;
  dryRun: boolean;
};

/** Distinct course ids remembered per run; beyond it the cache starts again (a completions file names few courses). */
const COURSE_CACHE_SIZE = 10_000;

/** Is the row blank (every cell empty: spreadsheets export trailing `,,,` rows)? */
function blank(values: readonly string[]): boolean {
  return values.every((value) => value.trim() === '');
}

/**
 * Imports a CSV file's records: the header (resolved against the map: a mapped column missing is a CsvImportError
 * before anything is sent), then each row mapped, checked by the contract and, for completions, against the registered
 * courses; good rows are sent in batches, bad ones written to the rejected file with their line and reason.
 */
export async function importCsv(records: AsyncIterable<CsvRecord>, options: CsvImportOptions): Promise<CsvImportSummary> {
  const iterator = records[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (!first.done && first.value.kind === 'malformed') first = await iterator.next();
  if (first.done || first.value.kind !== 'row') throw new CsvImportError('CSV.EMPTY_FILE', 'the file has no header row (it is empty)');
  const headerRow = first.value.values;
  const layout = resolveColumns(options.kind, headerRow, options.map);
  const rejected = options.rejectedFile(headerRow);
  const summary: CsvImportSummary = { kind: options.kind, rows: 0, events: 0, imported: 0, duplicates: 0, rejected: 0, dryRun: options.sink === undefined };
  const batchSize = options.batchSize ?? 1000;
  const courses = new Map<string, boolean>();
  let batch: CsvEvent[] = [];
  let batchRows: { line: number; values: readonly string[] }[] = [];

  const reject = async (line: number, reason: string, values: readonly string[]) => {
    summary.rejected += 1;
    options.onRejected?.(line, reason);
    await rejected.write({ line, reason, values });
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const events = batch;
    const rows = batchRows;
    batch = [];
    batchRows = [];
    summary.events += events.length;
    if (options.sink === undefined) return;
    const answer = await options.sink(events);
    summary.imported += answer.accepted + (answer.queued ?? 0);
    summary.duplicates += answer.duplicates;
    // The contract was checked row by row before sending: a refusal here is the destination's own (rare) rule.
    const refusedRows = new Map<number, string>();
    for (const refusal of answer.rejected) {
      const error = refusal.errors[0];
      refusedRows.set(rows[refusal.index].line, error ? `${error.message} (${error.code})` : 'refused');
    }
    for (const [line, reason] of refusedRows) await reject(line, `refused on import: ${reason}`, rows.find((row) => row.line === line)?.values ?? []);
  };

  const courseKnown = async (courseId: string): Promise<boolean> => {
    let known = courses.get(courseId);
    if (known === undefined) {
      known = await (options.courseExists as CourseLookup)(courseId);
      if (courses.size >= COURSE_CACHE_SIZE) courses.clear();
      courses.set(courseId, known);
    }
    return known;
  };

  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const record = next.value;
      if (record.kind === 'malformed') {
        summary.rows += 1;
        await reject(record.line, record.reason, []);
        if (record.last) summary.unreadableFrom = record.line;
        continue;
      }
      if (blank(record.values)) continue;
      summary.rows += 1;
      if (summary.rows % 1000 === 0) options.onProgress?.({ rows: summary.rows });
      // More cells than the header has: the cells are not where the header says (an unquoted comma), whatever they hold.
      if (record.values.length > layout.header.length) {
        await reject(record.line, `${record.values.length} cells, the header has ${layout.header.length} (an unquoted comma in a value?)`, record.values);
        continue;
      }
      const result = mapRow(options.kind, record.values, { layout, parseDate: options.parseDate, tenant: options.tenant, importedAt: options.importedAt, ...(options.effectiveFrom ? { effectiveFrom: options.effectiveFrom } : {}) });
      if (!result.ok) {
        await reject(record.line, result.reason, record.values);
        continue;
      }
      if (options.courseExists && options.kind === 'completions') {
        const courseId = String(result.events[0].data['courseId']);
        if (!(await courseKnown(courseId))) {
          await reject(record.line, `courseId: unknown course "${courseId}" (import it with import courses first)`, record.values);
          continue;
        }
      }
      for (const event of result.events) {
        batch.push(event);
        batchRows.push({ line: record.line, values: record.values });
      }
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    const written = await rejected.close();
    if (written > 0) summary.rejectedFile = rejected.path;
  }
  options.onProgress?.({ rows: summary.rows });
  return summary;
}
