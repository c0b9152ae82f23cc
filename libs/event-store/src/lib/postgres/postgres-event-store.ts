import { isStorableText } from '@rework-ledger/contracts';
import { LedgerError } from '@rework-ledger/domain';
import { isDatabaseUnavailable } from '@rework-ledger/platform';
import type { Pool, PoolClient } from 'pg';
import {
  type AppendResult,
  type EventStore,
  type Position,
  type StoredEvent,
  type StreamAppend,
  START,
} from '../event-store.port';
import { type AppendPlan, type PlacedEvent, eventKey, placeEvents, planAppend, validateAppend } from './append-plan';
import { EVENT_COLUMNS, type EventRow, VISIBLE, selectAll, toPosition, toStoredEvent } from './event-rows';
import { EVENT_STORE_CHANNEL } from './event-store.schema';
import { startPostgresSubscription } from './postgres-subscription';
import { createSubscriptionRegistry } from '../subscription-registry';

export type PostgresEventStoreOptions = Readonly<{
  /** The pool the store queries; it belongs to the caller, who ends it after {@link EventStore.close}. */
  pool: Pool;
  /** How long a subscription waits for a notification before it polls anyway, in ms (default 500). */
  pollIntervalMs?: number;
  /** Backoff after a failed handler or read of a subscription, doubling from `initialMs` to `maxMs` (default 100 → 5000). */
  retryBackoff?: Readonly<{ initialMs: number; maxMs: number }>;
  /** Attempts of an append that keeps racing concurrent writers of the same event ids or deadlocking (default 10). */
  maxAppendAttempts?: number;
}>;

// deadlock_detected and serialization_failure: the transaction did nothing and can simply run again.
const RETRIABLE_SQLSTATES = new Set(['40P01', '40001']);

/**
 * The keys of a call (tenant $1, sources $2, ids $3) already in the log: one probe of the identity index per key, whatever
 * the planner knows of `events`. A join of the keys with `events` is planned from the table's statistics, and a log
 * that has none (never analyzed: autovacuum off, or a log just restored) made PostgreSQL hash the tenant's whole log
 * for each append — 1,281 ms per 2,000 events at a million events, against 6.8 ms (docs/scaling.md). A LATERAL
 * subquery with a LIMIT is not pulled up into a join: it runs per key, on the unique index, which needs no statistics.
 */
export const STORED_KEYS_SQL = `SELECT k.source, k.event_id FROM unnest($2::text[], $3::text[]) AS k(source, event_id)
  CROSS JOIN LATERAL (SELECT 1 FROM events e WHERE e.tenant = $1 AND e.source = k.source AND e.event_id = k.event_id LIMIT 1) stored`;

/** A concurrent append stored some of our events between our duplicate check and our insert. */
class ConcurrentDuplicate extends Error {}

type InsertedRow = { global_position: string; transaction_id: string; recorded_at: Date | string; source: string; event_id: string };

/** The PostgreSQL event store. Run {@link migrateEventStore} once before using it. */
export function createPostgresEventStore(options: PostgresEventStoreOptions): EventStore {
  const { pool } = options;
  const maxAttempts = options.maxAppendAttempts ?? 10;
  const subscriptionSettings = {
    pool,
    pollIntervalMs: options.pollIntervalMs ?? 500,
    retryBackoff: options.retryBackoff ?? { initialMs: 100, maxMs: 5000 },
  };
  const subscriptions = createSubscriptionRegistry();
  // Clients whose transaction could not be rolled back must not go back to the pool.
  const brokenClients = new WeakSet<PoolClient>();

  async function append(tenant: string, appends: readonly StreamAppend[]): Promise<AppendResult> {
    validateAppend(tenant, appends);
    if (appends.length === 0) return { stored: [], duplicates: [] };
    const dataText = serializeData(tenant, appends);
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      try {
        return await appendOnce(client, tenant, appends, dataText);
      } catch (error) {
        // A connection the server ended goes, not back to the pool (pg may not have marked it broken yet).
        if (isDatabaseUnavailable(error)) brokenClients.add(client);
        const retriable = error instanceof ConcurrentDuplicate || RETRIABLE_SQLSTATES.has(String((error as { code?: unknown }).code));
        if (!retriable) throw error;
        if (attempt >= maxAttempts) {
          throw new LedgerError('EVENT_STORE.APPEND_CONTENDED', `append gave up after ${attempt} attempts racing concurrent writers`, undefined, true);
        }
      } finally {
        client.release(brokenClients.has(client));
      }
    }
  }

  async function appendOnce(client: PoolClient, tenant: string, appends: readonly StreamAppend[], dataText: ReadonlyMap<object, string>): Promise<AppendResult> {
    const plan = planAppend(appends, await selectStoredKeys(client, tenant, appends));
    if (plan.locks.length === 0) {
      // Nothing to store and no version to check: every event is a duplicate.
      placeEvents(plan, new Map());
      return { stored: [], duplicates: plan.duplicates };
    }
    await client.query('BEGIN');
    try {
      const versions = await lockStreams(client, tenant, plan);
      const placed = placeEvents(plan, versions);
      const stored = placed.length > 0 ? await insertEvents(client, tenant, placed, dataText) : [];
      if (stored.length > 0) await client.query('SELECT pg_notify($1, $2)', [EVENT_STORE_CHANNEL, '']);
      await client.query('COMMIT');
      return { stored, duplicates: plan.duplicates };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => brokenClients.add(client));
      throw error;
    }
  }

  /** The identities of the call that are already stored (committed before this statement). */
  async function selectStoredKeys(client: PoolClient, tenant: string, appends: readonly StreamAppend[]): Promise<Set<string>> {
    const sources: string[] = [];
    const ids: string[] = [];
    for (const append of appends) {
      for (const event of append.events) {
        sources.push(event.source);
        ids.push(event.id);
      }
    }
    if (ids.length === 0) return new Set();
    const { rows } = await client.query<{ source: string; event_id: string }>(STORED_KEYS_SQL, [tenant, sources, ids]);
    return new Set(rows.map((row) => eventKey(row.source, row.event_id)));
  }

  /**
   * Locks (creating when new) each stream row in sorted order and adds the new events to its version in the same
   * statement; returns the versions before this append.
   */
  async function lockStreams(client: PoolClient, tenant: string, plan: AppendPlan): Promise<Map<string, bigint>> {
    const { rows } = await client.query<{ stream_id: string; version: string }>(
      `INSERT INTO streams (tenant, stream_id, version)
       SELECT $1, s.stream_id, s.added FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS s(stream_id, added, ord) ORDER BY s.ord
       ON CONFLICT (tenant, stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version
       RETURNING stream_id, version::text AS version`,
      [tenant, plan.locks.map((lock) => lock.streamId), plan.locks.map((lock) => lock.added)],
    );
    const added = new Map(plan.locks.map((lock) => [lock.streamId, BigInt(lock.added)]));
    return new Map(rows.map((row) => [row.stream_id, BigInt(row.version) - (added.get(row.stream_id) ?? 0n)]));
  }

  /** One multi-row insert; a conflict on an identity means a concurrent append won the race: retry from scratch. */
  async function insertEvents(client: PoolClient, tenant: string, placed: readonly PlacedEvent[], dataText: ReadonlyMap<object, string>): Promise<StoredEvent[]> {
    const { rows } = await client.query<InsertedRow>(
      `INSERT INTO events (tenant, stream_id, stream_version, event_id, source, type, time, subject, data)
       SELECT $1, e.stream_id, e.stream_version, e.event_id, e.source, e.type, e.time, e.subject, e.data::jsonb
         FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[])
              WITH ORDINALITY AS e(stream_id, stream_version, event_id, source, type, time, subject, data, ord)
        ORDER BY e.ord
       ON CONFLICT ON CONSTRAINT events_identity_key DO NOTHING
       RETURNING global_position::text AS global_position, transaction_id::text AS transaction_id, recorded_at, source, event_id`,
      [
        tenant,
        placed.map((p) => p.streamId),
        placed.map((p) => p.streamVersion.toString()),
        placed.map((p) => p.event.id),
        placed.map((p) => p.event.source),
        placed.map((p) => p.event.type),
        placed.map((p) => p.event.time.toISOString()),
        placed.map((p) => p.event.subject ?? null),
        placed.map((p) => dataText.get(p.event) as string),
      ],
    );
    // Rolling back keeps stream versions gapless; the retry sees the winner's events as duplicates.
    if (rows.length < placed.length) throw new ConcurrentDuplicate();
    const byKey = new Map(rows.map((row) => [eventKey(row.source, row.event_id), row]));
    return placed.map(({ streamId, streamVersion, event }) => {
      const row = byKey.get(eventKey(event.source, event.id)) as InsertedRow;
      return {
        tenant,
        streamId,
        streamVersion,
        position: toPosition(row.transaction_id, row.global_position),
        id: event.id,
        source: event.source,
        type: event.type,
        time: event.time,
        ...(event.subject === undefined ? {} : { subject: event.subject }),
        data: event.data,
        recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
      };
    });
  }

  return {
    kind: 'postgres',
    deduplicatesOnAppend: true,
    append,

    async readStream(tenant, streamId, readOptions = {}) {
      const { rows } = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events
          WHERE tenant = $1 AND stream_id = $2 AND stream_version >= $3::bigint
          ORDER BY events.stream_version
          LIMIT $4`,
        [tenant, streamId, (readOptions.fromVersion ?? 1n).toString(), readOptions.limit ?? null],
      );
      return rows.map(toStoredEvent);
    },

    readAll(readOptions = {}) {
      return selectAll(pool, readOptions);
    },

    async headPosition(): Promise<Position> {
      const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(
        `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events
          WHERE ${VISIBLE}
          ORDER BY events.transaction_id DESC, events.global_position DESC
          LIMIT 1`,
      );
      return rows.length === 0 ? START : toPosition(rows[0].transaction_id, rows[0].global_position);
    },

    async lastCommittedPosition(): Promise<Position> {
      const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(
        `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events
          ORDER BY events.transaction_id DESC, events.global_position DESC
          LIMIT 1`,
      );
      return rows.length === 0 ? START : toPosition(rows[0].transaction_id, rows[0].global_position);
    },

    async lagAfter(after: Position) {
      const { rows } = await pool.query<{ events: string; oldest_recorded_at: Date | string | null }>(
        `SELECT count(*)::text AS events, min(recorded_at) AS oldest_recorded_at FROM events
          WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ${VISIBLE}`,
        [after.transactionId.toString(), after.globalPosition.toString()],
      );
      const oldest = rows[0].oldest_recorded_at;
      return { events: Number(rows[0].events), ...(oldest === null ? {} : { oldestRecordedAt: oldest instanceof Date ? oldest : new Date(oldest) }) };
    },

    subscribe(subscribeOptions) {
      return subscriptions.track(() => startPostgresSubscription(subscriptionSettings, subscribeOptions));
    },

    /** Stops every subscription; the pool stays open for its owner to end. */
    close: () => subscriptions.closeAll(),
  };
}

// In JSON text from JSON.stringify, an escape of NUL or of a lone surrogate (a paired one is written as is), not
// itself escaped (an even number of backslashes before it).
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * Each event's data as JSON text, checked once before any transaction: what PostgreSQL's text and jsonb cannot hold
 * (NUL, a lone surrogate) or what cannot be serialized (too deep, a BigInt) would otherwise fail the whole append in
 * SQL. The contract's validator refuses all of it event by event; this is the store's own guard for a caller that
 * skipped it, and fails with a typed, non-retriable error that names the event (the Kafka ingestor then isolates it).
 */
function serializeData(tenant: string, appends: readonly StreamAppend[]): ReadonlyMap<object, string> {
  const texts = new Map<object, string>();
  const refuse = (id: string, what: string, field: string) => {
    throw new LedgerError('EVENT_STORE.INVALID_APPEND', `event ${JSON.stringify(id.slice(0, 200))}: ${what}`, field);
  };
  if (!isStorableText(tenant)) refuse('', 'the tenant holds a NUL character or a lone surrogate', 'tenant');
  for (const append of appends) {
    if (!isStorableText(append.streamId)) refuse('', 'the stream id holds a NUL character or a lone surrogate', 'streamId');
    for (const event of append.events) {
      for (const [field, value] of [['id', event.id], ['source', event.source], ['type', event.type], ['subject', event.subject ?? '']] as const) {
        if (!isStorableText(value)) refuse(isStorableText(event.id) ? event.id : '', `its ${field} holds a NUL character or a lone surrogate`, field);
      }
      let text: string | undefined;
      try {
        text = JSON.stringify(event.data);
      } catch (error) {
        refuse(event.id, `its data cannot be serialized as JSON (${(error as Error).message})`, 'data');
      }
      if (text === undefined || UNSTORABLE_ESCAPE.test(text)) refuse(event.id, 'its data is not JSON PostgreSQL can store (a NUL character or a lone surrogate)', 'data');
      texts.set(event, text as string);
    }
  }
  return texts;
}
