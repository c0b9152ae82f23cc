// A CSV file as a stream of records with their line numbers, in constant memory (csv-parse), tolerant of what HR and
// LMS exports do: a UTF-8 byte order mark, CRLF or LF, quoted fields with commas, quotes and line breaks.
import { type InfoRecord, type Options, parse } from 'csv-parse';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/** A record of the file: its cells and the line it starts on (1-based, as an editor counts), or why it is unreadable. */
export type CsvRecord =
  | Readonly<{ kind: 'row'; line: number; values: readonly string[] }>
  | Readonly<{ kind: 'malformed'; line: number; reason: string; /** Nothing after it could be read. */ last: boolean }>;

/** The longest record read (in characters): far above any real row, far below a whole file. */
export const MAX_RECORD_CHARACTERS = 1_000_000;

const CR = 0x0d;
const LF = 0x0a;

/**
 * CRLF (and a lone CR) → LF, byte by byte (neither byte occurs inside a UTF-8 sequence). csv-parse counts a CRLF inside a
 * quoted field as two lines; with LF alone its line numbers are exact.
 */
export function normaliseLineBreaks(): Transform {
  let pendingCr = false;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (chunk.indexOf(CR) < 0 && !pendingCr) return done(null, chunk);
      const out = Buffer.allocUnsafe(chunk.length + 1);
      let length = 0;
      let start = 0;
      if (pendingCr) {
        out[length++] = LF;
        if (chunk[0] === LF) start = 1;
        pendingCr = false;
      }
      for (let i = start; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte !== CR) {
          out[length++] = byte;
        } else if (i + 1 === chunk.length) {
          pendingCr = true;
        } else {
          out[length++] = LF;
          if (chunk[i + 1] === LF) i++;
        }
      }
      done(null, out.subarray(0, length));
    },
    flush(done: TransformCallback) {
      done(null, pendingCr ? Buffer.from([LF]) : undefined);
    },
  });
}

/** Errors after which csv-parse reads nothing more of the file. */
const TERMINAL = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_MAX_RECORD_SIZE']);

/** What csv-parse says when it gives up on a record, in words a person fixing the file understands. */
function reasonOf(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed: nothing from this line to the end of the file could be read';
    case 'CSV_MAX_RECORD_SIZE':
      return `a record longer than ${MAX_RECORD_CHARACTERS} characters (a quote never closed?): nothing from this line on could be read`;
    default:
      return `malformed CSV: ${error.message}`;
  }
}

/**
 * The records of a CSV stream, the header first, one at a time with the line each starts on. Blank lines are skipped;
 * a record csv-parse cannot read is given as `malformed` (at the line after the record before it) and reading goes on.
 */
export async function* csvRecords(input: Readable): AsyncGenerator<CsvRecord> {
  const malformed: { afterRecords: number; line: number; reason: string; last: boolean }[] = [];
  let lastEndLine = 0;
  let records = 0;
  let stopped = false;
  type Numbered = { line: number; record: string[] };
  const options: Options<Numbered, string[]> = {
    bom: true,
    record_delimiter: '\n',
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // A quote never closed would otherwise gather the rest of the file into one record, in memory.
    max_record_size: MAX_RECORD_CHARACTERS,
    on_record: (record: string[], context: InfoRecord) => {
      // A record's line is the line it ends on less the line breaks inside its quoted fields.
      const inside = record.reduce((count, value) => count + (value.includes('\n') ? value.split('\n').length - 1 : 0), 0);
      const line = context.lines - inside;
      lastEndLine = context.lines;
      records += 1;
      return { line, record };
    },
  };
  // csv-parse types on_record's result only with `columns`; the records are what on_record returns.
  const parser = parse(options as unknown as Options);
  parser.on('skip', (error: Error & { code?: string }) => {
    // After a terminal error csv-parse reports it again with each chunk it is given: once is enough.
    if (stopped) return;
    stopped = TERMINAL.has(error.code ?? '');
    malformed.push({ afterRecords: records, line: lastEndLine + 1, reason: reasonOf(error), last: stopped });
  });
  // on_record runs as csv-parse reads, ahead of this loop: `records` counts what it has handed out so far.
  const counting = parser as AsyncIterable<Numbered>;
  input.on('error', (error) => parser.destroy(error));
  input.pipe(normaliseLineBreaks()).on('error', (error) => parser.destroy(error)).pipe(parser);
  let yielded = 0;
  try {
    for await (const { line, record } of counting) {
      while (malformed.length > 0 && malformed[0].afterRecords <= yielded) {
        const next = malformed.shift() as (typeof malformed)[number];
        yield { kind: 'malformed', line: next.line, reason: next.reason, last: next.last };
      }
      yielded += 1;
      yield { kind: 'row', line, values: record };
    }
    for (const next of malformed) yield { kind: 'malformed', line: next.line, reason: next.reason, last: next.last };
  } finally {
    input.destroy();
    parser.destroy();
  }
}
