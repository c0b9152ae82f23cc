// An in-memory stand-in for an EventStoreDB server behind the adapter's connection, for tests on machines where the
// server cannot run. It follows the server's documented behaviour where the adapter depends on it (revisions, expected
// revisions, $all positions shared by the events of one write, inclusive reads and exclusive subscriptions from a
// position, server-side prefix filters, a bounded memory of recent event ids), and throws the client's own errors.
// It never replaces the contract run against a real server (EVENTSTORE_CONNECTION_STRING).
import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type AppendResult,
  type Filter,
  type JSONEventData,
  type Position,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { Readable, type ReadableOptions } from 'node:stream';
import type { EventStoreDbConnection, FilteredReadAllOptions } from '../eventstoredb-connection';

type Recorded = Readonly<{
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  created: Date;
  position: Position;
}>;

export type InMemoryEventStoreDb = EventStoreDbConnection & {
  /** Forgets the event ids the server remembers for idempotent appends (as a restart or a full id cache would). */
  forgetRecentIds(): void;
  /** Ends every open subscription with an error, as a lost connection or a leader change would. */
  dropSubscriptions(error: Error): void;
  /** Events of every stream, system ones included, in $all order. */
  readonly log: readonly Recorded[];
};

export type InMemoryEventStoreDbOptions = Readonly<{
  /** How many recent event ids the server remembers (EventStoreDB's default cache is much larger). */
  rememberedIds?: number;
}>;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const comparePositions = (a: Position, b: Position): number => (a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0);

function matches(filter: Filter, record: Recorded): boolean {
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  if ('prefixes' in filter) return filter.prefixes.some((prefix) => subject.startsWith(prefix));
  return new RegExp(filter.regex).test(subject);
}

function resolved(record: Recorded): AllStreamResolvedEvent {
  return {
    event: {
      streamId: record.streamId,
      id: record.id,
      isJson: true,
      revision: record.revision,
      type: record.type,
      created: record.created,
      data: structuredClone(record.data) as Record<string, unknown>,
      metadata: structuredClone(record.metadata) as Record<string, unknown>,
      position: record.position,
    },
    commitPosition: record.position.commit,
  };
}

/** Creates an empty server (with one system event in $all, as a real one has many). */
export function createInMemoryEventStoreDb(options: InMemoryEventStoreDbOptions = {}): InMemoryEventStoreDb {
  const rememberedIds = options.rememberedIds ?? 10_000;
  const log: Recorded[] = [];
  const streams = new Map<string, Recorded[]>();
  /** Recent writes' ids, oldest first: id → stream and the revision the write ended at. */
  const recentIds = new Map<string, { streamId: string; lastRevision: bigint }>();
  const listeners = new Set<() => void>();
  const open = new Set<Readable>();
  let nextLogPosition = 1000n;

  const write = (streamId: string, events: readonly JSONEventData[]): Recorded[] => {
    const stream = streams.get(streamId) ?? [];
    streams.set(streamId, stream);
    // One write: the events share its commit position and each has its own prepare position.
    const commit = nextLogPosition;
    const written = events.map((event, i): Recorded => {
      const prepare = commit + BigInt(i) * 100n;
      return {
        streamId,
        id: event.id,
        revision: BigInt(stream.length + i),
        type: event.type,
        data: structuredClone(event.data),
        metadata: structuredClone(event.metadata),
        created: new Date(),
        position: { commit, prepare },
      };
    });
    nextLogPosition = commit + BigInt(events.length) * 100n + 100n;
    stream.push(...written);
    log.push(...written);
    for (const record of written) {
      recentIds.set(record.id, { streamId, lastRevision: written[written.length - 1].revision });
      if (recentIds.size > rememberedIds) recentIds.delete(recentIds.keys().next().value as string);
    }
    for (const listener of listeners) listener();
    return written;
  };
  write('$settings', [{ id: '00000000-0000-4000-8000-000000000001', contentType: 'application/json', type: '$settings', data: {}, metadata: undefined }]);

  const revisionOf = (streamId: string): bigint | 'no_stream' => {
    const stream = streams.get(streamId);
    return stream && stream.length > 0 ? stream[stream.length - 1].revision : 'no_stream';
  };

  const allFrom = (fromPosition: FilteredReadAllOptions['fromPosition'], direction: FilteredReadAllOptions['direction']): Recorded[] => {
    if (direction === 'forwards') {
      if (fromPosition === 'end') return [];
      if (fromPosition === 'start') return [...log];
      return log.filter((record) => comparePositions(record.position, fromPosition) >= 0);
    }
    const reversed = [...log].reverse();
    if (fromPosition === 'end') return reversed;
    if (fromPosition === 'start') return [];
    return reversed.filter((record) => comparePositions(record.position, fromPosition) < 0);
  };

  return {
    log,
    forgetRecentIds: () => recentIds.clear(),
    dropSubscriptions(error) {
      for (const stream of open) stream.destroy(error);
    },

    async appendToStream(streamName: string, events: JSONEventData[], { expectedRevision }: { expectedRevision: AppendExpectedRevision }): Promise<AppendResult> {
      await tick();
      const current = revisionOf(streamName);
      // Idempotence: the same ids as a recent write to this stream acknowledge that write again.
      const remembered = events.map((event) => recentIds.get(event.id));
      if (events.length > 0 && remembered.every((r) => r?.streamId === streamName)) {
        return { success: true, nextExpectedRevision: remembered[remembered.length - 1]?.lastRevision ?? 0n };
      }
      const ok =
        expectedRevision === 'any' ||
        (expectedRevision === 'no_stream' && current === 'no_stream') ||
        (expectedRevision === 'stream_exists' && current !== 'no_stream') ||
        (typeof expectedRevision === 'bigint' && current === expectedRevision);
      if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected: expectedRevision, current });
      const written = write(streamName, events);
      const lastWritten = written[written.length - 1];
      return { success: true, nextExpectedRevision: lastWritten ? lastWritten.revision : typeof current === 'bigint' ? current : -1n, ...(lastWritten ? { position: lastWritten.position } : {}) };
    },

    readStream(streamName, { fromRevision, maxCount, direction }) {
      return (async function* () {
        await tick();
        const stream = streams.get(streamName);
        if (!stream || stream.length === 0) throw new StreamNotFoundError(undefined, streamName);
        const ordered = direction === 'forwards' ? stream : [...stream].reverse();
        const start = fromRevision === 'start' ? (direction === 'forwards' ? 0n : -1n) : fromRevision === 'end' ? (direction === 'forwards' ? BigInt(stream.length) : BigInt(stream.length - 1)) : fromRevision;
        const selected = ordered.filter((record) => (direction === 'forwards' ? record.revision >= start : record.revision <= start));
        for (const record of selected.slice(0, Number(maxCount))) yield resolved(record);
      })();
    },

    readAllFiltered({ fromPosition, maxCount, direction, filter }) {
      return (async function* () {
        await tick();
        const selected = allFrom(fromPosition, direction).filter((record) => matches(filter, record));
        for (const record of selected.slice(0, maxCount)) yield resolved(record);
      })();
    },

    subscribeToAll({ fromPosition, filter }, readableOptions: ReadableOptions) {
      // A pull-based catch-up subscription: the buffer fills only as the reader reads, like the gRPC stream's.
      let cursor = fromPosition === 'start' ? 0 : fromPosition === 'end' ? log.length : log.findIndex((r) => comparePositions(r.position, fromPosition) > 0);
      if (cursor < 0) cursor = log.length;
      let waiting = false;
      let caughtUpSent = false;
      const fill = (): void => {
        waiting = false;
        while (cursor < log.length) {
          const record = log[cursor++];
          if (!matches(filter, record)) continue;
          if (!stream.push(resolved(record))) return;
        }
        if (!caughtUpSent) {
          caughtUpSent = true;
          setImmediate(() => stream.emit('caughtUp'));
        }
        waiting = true;
      };
      const stream = new Readable({ ...readableOptions, objectMode: true, read: fill });
      const onAppend = (): void => {
        if (waiting && !stream.destroyed) setImmediate(fill);
      };
      listeners.add(onAppend);
      open.add(stream);
      stream.once('close', () => {
        listeners.delete(onAppend);
        open.delete(stream);
      });
      return Object.assign(stream, {
        async unsubscribe() {
          listeners.delete(onAppend);
          stream.destroy();
        },
      }) as unknown as AllStreamSubscription;
    },

    async dispose() {
      listeners.clear();
    },
  };
}
