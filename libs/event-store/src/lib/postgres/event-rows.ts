import type { QueryResult, QueryResultRow } from 'pg';
import { comparePositions, type Position, type ReadAllOptions, START, type StoredEvent } from '../event-store.port';

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

/** The tenant and types filters of a read, as SQL, their values added to `values`. */
function optionalFilters(options: Readonly<{ tenant?: string; types?: readonly string[] }>, values: unknown[]): { filters: string } {
  let filters = '';
  if (options.tenant !== undefined) {
    values.push(options.tenant);
    filters += ` AND tenant = $${values.length}`;
  }
  if (options.types !== undefined) {
    values.push([...options.types]);
    filters += ` AND type = ANY ($${values.length}::text[])`;
  }
  return { filters };
}

/** Events after a position in global order, never past the oldest transaction in flight. */
export async function selectAll(db: Queryable, options: ReadAllOptions): Promise<StoredEvent[]> {
  const after = options.after ?? START;
  const limit = options.limit ?? DEFAULT_READ_ALL_LIMIT;
  const values: unknown[] = [after.transactionId.toString(), after.globalPosition.toString(), limit];
  const { filters } = optionalFilters(options, values);
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events
      WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ${VISIBLE} ${filters}
      ORDER BY events.transaction_id, events.global_position
      LIMIT $3`,
    values,
  );
  return rows.map(toStoredEvent);
}

/** A subscription's read: the events it delivers, and how far in the global order the read covered. */
export type SubscriptionPage = Readonly<{ events: StoredEvent[]; readTo: Position }>;

/**
 * A subscription's next page after `after`: at most `limit` events, of `types` only when given. `readTo` is how far the
 * read went: the last event delivered when the page is full, else the last event readers can see (of any type), so
 * that a subscription to a few types moves past the events it skips instead of reading them again. The page and that
 * last event come from one statement, one snapshot: no event of the types can commit in between and be skipped.
 */
export async function selectPage(
  db: Queryable,
  options: Readonly<{ after: Position; limit: number; tenant?: string; types?: readonly string[] }>,
): Promise<SubscriptionPage> {
  if (options.types === undefined) {
    const events = await selectAll(db, options);
    return { events, readTo: events.length > 0 ? events[events.length - 1].position : options.after };
  }
  const values: unknown[] = [options.after.transactionId.toString(), options.after.globalPosition.toString(), options.limit];
  const { filters } = optionalFilters(options, values);
  // The last visible event comes as a row of its own (no event id), after the page.
  const { rows } = await db.query<EventRow & { horizon: boolean }>(
    `(SELECT false AS horizon, ${EVENT_COLUMNS} FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ${VISIBLE} ${filters}
       ORDER BY events.transaction_id, events.global_position
       LIMIT $3)
     UNION ALL
     (SELECT true, global_position::text, transaction_id::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM events
       WHERE ${VISIBLE}
       ORDER BY events.transaction_id DESC, events.global_position DESC
       LIMIT 1)`,
    values,
  );
  const events: StoredEvent[] = [];
  let last: Position | undefined;
  for (const row of rows) {
    if (row.horizon) last = toPosition(row.transaction_id, row.global_position);
    else events.push(toStoredEvent(row));
  }
  const lastDelivered = events.length > 0 ? events[events.length - 1].position : options.after;
  if (events.length >= options.limit || last === undefined) return { events, readTo: lastDelivered };
  return { events, readTo: comparePositions(last, lastDelivered) > 0 ? last : lastDelivered };
}
