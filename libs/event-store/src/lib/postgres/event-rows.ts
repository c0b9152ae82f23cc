import type { QueryResult, QueryResultRow } from 'pg';
import { type Position, START, type StoredEvent } from '../event-store.port';

/** Anything that runs a query: the pool or one of its clients. */
export type Queryable = { query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> };

/** A row of `events` as selected by {@link EVENT_COLUMNS}: int8 and xid8 as text, whatever pg's global parsers say. */
export type EventRow = {
  global_position: string;
  transaction_id: string;
  tenant: string;
  stream_id: string;
  stream_version: string;
  event_id: string;
  source: string;
  type: string;
  time: Date | string;
  subject: string | null;
  data: unknown;
  recorded_at: Date | string;
};

/** Columns of `events` for a query `FROM events`. ORDER BY must name `events.` columns: the aliases below are text. */
export const EVENT_COLUMNS = `global_position::text AS global_position, transaction_id::text AS transaction_id, tenant, stream_id,
  stream_version::text AS stream_version, event_id, source, type, time, subject, data, recorded_at`;

/** Only transactions older than every transaction still in flight: their events can no longer be joined by earlier ones. */
export const VISIBLE = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function toPosition(transactionId: string, globalPosition: string): Position {
  return { transactionId: BigInt(transactionId), globalPosition: BigInt(globalPosition) };
}

/** Maps a selected row to the port's event; `data` is the stored JSON. */
export function toStoredEvent(row: EventRow): StoredEvent {
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<string, unknown>;
  return {
    tenant: row.tenant,
    streamId: row.stream_id,
    streamVersion: BigInt(row.stream_version),
    position: toPosition(row.transaction_id, row.global_position),
    id: row.event_id,
    source: row.source,
    type: row.type,
    time: toDate(row.time),
    ...(row.subject === null ? {} : { subject: row.subject }),
    data,
    recordedAt: toDate(row.recorded_at),
  };
}

export const DEFAULT_READ_ALL_LIMIT = 1000;

/** Events after a position in global order, never past the oldest transaction in flight. */
export async function selectAll(
  db: Queryable,
  options: Readonly<{ after?: Position; limit?: number; tenant?: string }>,
): Promise<StoredEvent[]> {
  const after = options.after ?? START;
  const limit = options.limit ?? DEFAULT_READ_ALL_LIMIT;
  const values: unknown[] = [after.transactionId.toString(), after.globalPosition.toString(), limit];
  let tenantFilter = '';
  if (options.tenant !== undefined) {
    values.push(options.tenant);
    tenantFilter = 'AND tenant = $4';
  }
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events
      WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ${VISIBLE} ${tenantFilter}
      ORDER BY events.transaction_id, events.global_position
      LIMIT $3`,
    values,
  );
  return rows.map(toStoredEvent);
}
