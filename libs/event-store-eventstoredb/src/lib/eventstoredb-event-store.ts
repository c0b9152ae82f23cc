import { BACKWARDS, END, ErrorType, type Filter, FORWARDS, NO_STREAM, START as ESDB_START, streamNameFilter } from '@eventstore/db-client';
import { LedgerError } from '@rework-ledger/domain';
import {
  type AppendResult,
  comparePositions,
  createSubscriptionRegistry,
  type EventStore,
  eventKey,
  placeEvents,
  planAppend,
  type PlacedEvent,
  type Position,
  START,
  type StoredEvent,
  type StreamAppend,
  validateAppend,
} from '@rework-ledger/event-store';
import type { EventStoreDbConnection } from './eventstoredb-connection';
import { toEventData, toPortPosition, toReadPosition, toStoredEvent } from './eventstoredb-events';
import { eventStoreDbEventId, eventStoreDbStreamName, LEDGER_STREAM_PREFIX, tenantStreamPrefix } from './eventstoredb-names';
import { startEventStoreDbSubscription } from './eventstoredb-subscription';

export type EventStoreDbEventStoreOptions = Readonly<{
  /** The connection the store uses; it belongs to the caller, who disposes of it after {@link EventStore.close}. */
  connection: EventStoreDbConnection;
  /** How many of a stream's newest events an append reads to recognise retried events (default 1000). */
  duplicateWindow?: number;
  /** Attempts of an append that keeps racing concurrent writers of the same stream (default 10). */
  maxAppendAttempts?: number;
  /** Streams of one call read or written at the same time (default 16). */
  streamConcurrency?: number;
  /** `lagAfter` counts at most this many events (default 10,000): counting means reading them. */
  lagCountLimit?: number;
  /** Backoff after a failed handler or a dropped subscription, doubling from `initialMs` to `maxMs` (default 100 → 5000). */
  retryBackoff?: Readonly<{ initialMs: number; maxMs: number }>;
}>;

const DEFAULT_READ_ALL_LIMIT = 1000;

const hasErrorType = (error: unknown, type: ErrorType): boolean => (error as { type?: unknown } | undefined)?.type === type;

/** Runs `task` over `items`, at most `limit` at a time; results in the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The version of a stream (0 = no stream) and the event ids among its newest events. */
type StreamTail = Readonly<{ version: bigint; eventIds: ReadonlySet<string> }>;

/**
 * The EventStoreDB (KurrentDB) event store. One EventStoreDB stream per port stream and tenant (see
 * `eventStoreDbStreamName`), event ids derived from `(tenant, source, id)`, global order from `$all` read with a
 * server-side stream-name filter. Appends check every stream before writing any, but a call spanning several streams
 * is not one transaction: see README.
 */
export function createEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): EventStore {
  const { connection } = options;
  const duplicateWindow = options.duplicateWindow ?? 1000;
  const maxAttempts = options.maxAppendAttempts ?? 10;
  const concurrency = options.streamConcurrency ?? 16;
  const lagCountLimit = options.lagCountLimit ?? 10_000;
  const retryBackoff = options.retryBackoff ?? { initialMs: 100, maxMs: 5000 };
  const subscriptions = createSubscriptionRegistry();

  const ledgerFilter = (tenant?: string): Filter =>
    streamNameFilter({ prefixes: [tenant === undefined ? LEDGER_STREAM_PREFIX : tenantStreamPrefix(tenant)] });

  /** A stream's events as the port's, in the order read; none when the stream does not exist. */
  async function readStreamEvents(streamName: string, read: Parameters<EventStoreDbConnection['readStream']>[1]): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of connection.readStream(streamName, read)) {
        const event = toStoredEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (hasErrorType(error, ErrorType.STREAM_NOT_FOUND)) return [];
      throw error;
    }
    return events;
  }

  async function readTail(tenant: string, streamId: string): Promise<StreamTail> {
    const eventIds = new Set<string>();
    let version = 0n;
    try {
      for await (const resolved of connection.readStream(eventStoreDbStreamName(tenant, streamId), { fromRevision: END, direction: BACKWARDS, maxCount: duplicateWindow })) {
        if (!resolved.event) continue;
        if (version === 0n) version = resolved.event.revision + 1n;
        eventIds.add(resolved.event.id);
      }
    } catch (error) {
      if (hasErrorType(error, ErrorType.STREAM_NOT_FOUND)) return { version: 0n, eventIds };
      throw error;
    }
    return { version, eventIds };
  }

  /** Writes one stream's placed events at exactly `versionBefore`; 'conflict' when another writer got there first. */
  async function writeStream(tenant: string, streamId: string, placed: readonly PlacedEvent[], versionBefore: bigint): Promise<StoredEvent[] | 'conflict'> {
    const streamName = eventStoreDbStreamName(tenant, streamId);
    try {
      await connection.appendToStream(
        streamName,
        placed.map((p) => toEventData(tenant, p.event)),
        { expectedRevision: versionBefore === 0n ? NO_STREAM : versionBefore - 1n },
      );
    } catch (error) {
      if (hasErrorType(error, ErrorType.WRONG_EXPECTED_VERSION)) return 'conflict';
      throw error;
    }
    // EventStoreDB answers an append with one position: each event's own comes from reading them back.
    const written = await readStreamEvents(streamName, { fromRevision: versionBefore, maxCount: placed.length, direction: FORWARDS });
    if (written.length !== placed.length || written.some((event, i) => event.id !== placed[i].event.id || event.source !== placed[i].event.source)) {
      throw new LedgerError('EVENT_STORE.APPEND_UNCONFIRMED', `stream ${streamId}: the events read back are not the events written`, undefined, true);
    }
    return written;
  }

  async function append(tenant: string, appends: readonly StreamAppend[]): Promise<AppendResult> {
    validateAppend(tenant, appends);
    const storedByCall = new Map<string, StoredEvent>();
    let pending = appends;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        throw new LedgerError('EVENT_STORE.APPEND_CONTENDED', `append gave up after ${maxAttempts} attempts racing concurrent writers`, undefined, true);
      }
      // 1. Read every stream of the call and check every expected version before writing anything.
      const streamIds = [...new Set(pending.map((a) => a.streamId))];
      const tails = new Map(await mapLimit(streamIds, concurrency, async (streamId) => [streamId, await readTail(tenant, streamId)] as const));
      const storedKeys = new Set(storedByCall.keys());
      for (const { streamId, events } of pending) {
        const tail = tails.get(streamId) as StreamTail;
        for (const event of events) if (tail.eventIds.has(eventStoreDbEventId(tenant, event.source, event.id))) storedKeys.add(eventKey(event.source, event.id));
      }
      const plan = planAppend(pending, storedKeys);
      const versions = new Map([...tails].map(([streamId, tail]) => [streamId, tail.version]));
      const placed = placeEvents(plan, versions);

      // 2. Write each stream at the version read; a stream another writer moved meanwhile goes round again.
      const byStream = new Map<string, PlacedEvent[]>();
      for (const p of placed) byStream.set(p.streamId, [...(byStream.get(p.streamId) ?? []), p]);
      const outcomes = await mapLimit([...byStream], concurrency, async ([streamId, streamEvents]) => ({
        streamId,
        outcome: await writeStream(tenant, streamId, streamEvents, versions.get(streamId) ?? 0n),
      }));
      const conflicted = new Set<string>();
      for (const { streamId, outcome } of outcomes) {
        if (outcome === 'conflict') conflicted.add(streamId);
        else for (const event of outcome) storedByCall.set(eventKey(event.source, event.id), event);
      }
      pending = pending.filter((a) => conflicted.has(a.streamId));
    }
    // In call order, as PostgreSQL reports them: the first occurrence of a key stored here is stored, the rest duplicates.
    const stored: StoredEvent[] = [];
    const duplicates: { source: string; id: string }[] = [];
    const reported = new Set<string>();
    for (const { events } of appends) {
      for (const event of events) {
        const key = eventKey(event.source, event.id);
        const storedEvent = storedByCall.get(key);
        if (storedEvent && !reported.has(key)) {
          stored.push(storedEvent);
          reported.add(key);
        } else {
          duplicates.push({ source: event.source, id: event.id });
        }
      }
    }
    return { stored, duplicates };
  }

  /** Events of $all after a position, filtered on the server by stream-name prefix. */
  async function readAll(readOptions: Readonly<{ after?: Position; limit?: number; tenant?: string }> = {}): Promise<StoredEvent[]> {
    const after = readOptions.after ?? START;
    const limit = readOptions.limit ?? DEFAULT_READ_ALL_LIMIT;
    const events: StoredEvent[] = [];
    if (limit <= 0) return events;
    // A read from a position includes the event there: ask for one more, keep what lies after it.
    const read = connection.readAllFiltered({ fromPosition: toReadPosition(after), maxCount: limit + 1, direction: FORWARDS, filter: ledgerFilter(readOptions.tenant) });
    for await (const resolved of read) {
      const event = toStoredEvent(resolved);
      if (!event || comparePositions(event.position, after) <= 0) continue;
      events.push(event);
      if (events.length >= limit) break;
    }
    return events;
  }

  async function headPosition(tenant?: string): Promise<Position> {
    for await (const resolved of connection.readAllFiltered({ fromPosition: END, maxCount: 1, direction: BACKWARDS, filter: ledgerFilter(tenant) })) {
      const position = resolved.event?.position;
      if (position) return toPortPosition(position);
    }
    return START;
  }

  return {
    kind: 'eventstoredb',
    // The server recognises a retried event id only while it is among the ids it remembers (and an append only sees
    // the newest `duplicateWindow` events of its stream): a late retry can store an event again.
    deduplicatesOnAppend: false,
    append,

    async readStream(tenant, streamId, readOptions = {}) {
      const fromVersion = readOptions.fromVersion ?? 1n;
      if (readOptions.limit !== undefined && readOptions.limit <= 0) return [];
      return readStreamEvents(eventStoreDbStreamName(tenant, streamId), {
        fromRevision: fromVersion > 1n ? fromVersion - 1n : ESDB_START,
        maxCount: readOptions.limit ?? Number.MAX_SAFE_INTEGER,
        direction: FORWARDS,
      });
    },

    readAll,

    headPosition: () => headPosition(),

    /** An acknowledged append is readable at once in $all: nothing is committed yet unreadable. */
    lastCommittedPosition: () => headPosition(),

    async lagAfter(after) {
      let events = 0;
      let oldestRecordedAt: Date | undefined;
      const read = connection.readAllFiltered({ fromPosition: toReadPosition(after), maxCount: lagCountLimit + 1, direction: FORWARDS, filter: ledgerFilter() });
      for await (const resolved of read) {
        const event = toStoredEvent(resolved);
        if (!event || comparePositions(event.position, after) <= 0) continue;
        events += 1;
        if (!oldestRecordedAt || event.recordedAt < oldestRecordedAt) oldestRecordedAt = event.recordedAt;
        if (events >= lagCountLimit) break;
      }
      return { events, ...(oldestRecordedAt ? { oldestRecordedAt } : {}) };
    },

    subscribe(subscribeOptions) {
      return subscriptions.track(() =>
        startEventStoreDbSubscription(
          {
            open: (after, readableOptions) => connection.subscribeToAll({ fromPosition: toReadPosition(after), filter: ledgerFilter(subscribeOptions.tenant) }, readableOptions),
            headPosition: () => headPosition(subscribeOptions.tenant),
            retryBackoff,
          },
          subscribeOptions,
        ),
      );
    },

    /** Stops every subscription; the connection stays open for its owner to dispose of. */
    close: () => subscriptions.closeAll(),
  };
}
