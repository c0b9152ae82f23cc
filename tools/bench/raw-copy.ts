import type { ValidEvent } from '@rework-ledger/contracts';
import { streamNameFor } from '@rework-ledger/domain';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** The floor a write path is compared with, two ways (events per second). */
export type CopyFloor = Readonly<{
  /**
   * The database's side (issue 15, the floor of PRODUCT.md's quality targets): the rows formatted before the clock
   * starts, then `COPY`'d into a table with the event table's identity constraints (a primary key, and
   * `UNIQUE (tenant, source, event_id)`); only the `COPY` is timed.
   */
  databaseSide: number;
  /**
   * The earlier floor, kept for continuity with the figures before issue 15: the rows formatted in JavaScript inside
   * the timed section, into a table without constraints. It measures the formatting as much as the database, and
   * flattered every ratio about threefold.
   */
  formattedInJavaScript: number;
}>;

/** The same events as rows of the event table's shape (COPY text format), in store order. */
function eventRows(events: readonly ValidEvent[]): string[] {
  const versions = new Map<string, number>();
  const recordedAt = new Date().toISOString();
  return events.map((event, index) => {
    const streamId = streamNameFor(event.type, event.data);
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    return (
      [index + 1, '1', event.tenant, streamId, version, event.id, event.source, event.type, event.time.toISOString(), '\\N', JSON.stringify(event.data), recordedAt]
        .map((cell) => (cell === '\\N' ? cell : escape(String(cell))))
        .join('\t') + '\n'
    );
  });
}

const COLUMNS = `global_position bigint, transaction_id xid8, tenant text, stream_id text, stream_version bigint, event_id text,
  source text, type text, time timestamptz, subject text, data jsonb, recorded_at timestamptz`;

/** Events per second of one COPY of `rows` into a fresh table of `definition`; `format` runs inside the clock when given. */
async function timedCopy(pool: Pool, definition: string, count: number, rows: () => Iterable<string>): Promise<number> {
  await pool.query('DROP TABLE IF EXISTS bench_raw_copy');
  await pool.query(`CREATE TABLE bench_raw_copy (${definition})`);
  const client = await pool.connect();
  try {
    const started = performance.now();
    await pipeline(Readable.from(rows()), client.query(copyFrom('COPY bench_raw_copy FROM STDIN')));
    return count / ((performance.now() - started) / 1000);
  } finally {
    client.release();
    await pool.query('DROP TABLE bench_raw_copy');
  }
}

/** Both floors of these events, in the same PostgreSQL (see CopyFloor). */
export async function measureRawCopy(pool: Pool, events: readonly ValidEvent[]): Promise<CopyFloor> {
  const formattedInJavaScript = await timedCopy(pool, COLUMNS, events.length, () => eventRows(events));
  // Formatted before the clock, in chunks of ~1 MB so that the stream does not pay a call per row either.
  const rows = eventRows(events);
  const chunks: string[] = [];
  for (let i = 0; i < rows.length; i += 2000) chunks.push(rows.slice(i, i + 2000).join(''));
  const databaseSide = await timedCopy(
    pool,
    `${COLUMNS}, PRIMARY KEY (global_position), UNIQUE (tenant, source, event_id), UNIQUE (tenant, stream_id, stream_version)`,
    events.length,
    () => chunks,
  );
  return { databaseSide, formattedInJavaScript };
}
