// What the EventStoreDB adapter does beyond the shared contract: its mapping onto the server and its limits.
import { WrongExpectedVersionError as EsdbWrongExpectedVersionError } from '@eventstore/db-client';
import { type NewEvent, type StoredEvent } from '@rework-ledger/event-store';
import { buildFilteredReadAllRequest, connectEventStoreDb, toEsdbConnectionString } from './eventstoredb-connection';
import { createEventStoreDbEventStore } from './eventstoredb-event-store';
import { eventStoreDbEventId } from './eventstoredb-names';
import { createInMemoryEventStoreDb, type InMemoryEventStoreDb } from './testing/in-memory-eventstoredb';

let counter = 0;
const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: `e-${++counter}`,
  source: 'urn:test',
  type: 'ai.output.generated',
  time: new Date('2025-03-01T10:00:00Z'),
  data: { n: counter },
  ...overrides,
});

describe('EventStoreDB adapter: mapping onto the server', () => {
  let server: InMemoryEventStoreDb;
  beforeEach(() => {
    server = createInMemoryEventStoreDb();
  });

  it('given an append, when written, then the stream is rl/<tenant>/<stream>, ids are UUID v5 of the identity, and the CloudEvent attributes are in the metadata', async () => {
    const store = createEventStoreDbEventStore({ connection: server });
    const event = newEvent({ subject: 'o-1' });
    await store.append('acme', [{ streamId: 'output-o-1', expectedVersion: 'any', events: [event] }]);
    const recorded = server.log[server.log.length - 1];
    expect(recorded).toMatchObject({
      streamId: 'rl/acme/output-o-1',
      id: eventStoreDbEventId('acme', event.source, event.id),
      revision: 0n,
      type: 'ai.output.generated',
      data: event.data,
      metadata: { tenant: 'acme', source: 'urn:test', id: event.id, time: '2025-03-01T10:00:00.000Z', subject: 'o-1' },
    });
  });

  it('given one write of several events, when read, then they share the commit position (transactionId) and differ by prepare (globalPosition)', async () => {
    const store = createEventStoreDbEventStore({ connection: server });
    const { stored } = await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [newEvent(), newEvent()] }]);
    expect(stored[0].position.transactionId).toBe(stored[1].position.transactionId);
    expect(stored[0].position.globalPosition < stored[1].position.globalPosition).toBe(true);
    const [first] = server.log.filter((r) => r.streamId === 'rl/acme/s');
    expect(stored[0].position).toEqual({ transactionId: first.position.commit, globalPosition: first.position.prepare });
  });

  it('given system events and other applications’ streams in $all, when reading all, then only the ledger’s come back', async () => {
    await server.appendToStream('orders-1', [{ id: '00000000-0000-4000-8000-00000000000a', contentType: 'application/json', type: 'OrderPlaced', data: {}, metadata: undefined }], {
      expectedRevision: 'any',
    });
    const store = createEventStoreDbEventStore({ connection: server });
    await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [newEvent()] }]);
    expect((await store.readAll()).map((e) => e.streamId)).toEqual(['s']);
    expect(server.log.some((r) => r.streamId.startsWith('$'))).toBe(true);
  });

  it('given a retry after the server forgot the ids, when appended, then the stream’s newest events still reveal the duplicates', async () => {
    const store = createEventStoreDbEventStore({ connection: server });
    const batch = [newEvent(), newEvent()];
    await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: batch }]);
    server.forgetRecentIds();
    const retry = await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: batch }]);
    expect(retry.stored).toEqual([]);
    expect(retry.duplicates).toHaveLength(2);
  });

  it('given a retry older than the duplicate window and the server’s memory, when appended, then the event is stored again (projections skip it by key)', async () => {
    const store = createEventStoreDbEventStore({ connection: server, duplicateWindow: 2 });
    const old = newEvent();
    await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [old, newEvent(), newEvent()] }]);
    server.forgetRecentIds();
    const late = await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [old] }]);
    expect(late.stored.map((e) => [e.id, e.streamVersion])).toEqual([[old.id, 4n]]);
    expect(store.deduplicatesOnAppend).toBe(false);
  });

  it('given the server rejects an expected revision, when the caller expected any, then the append reads again and succeeds', async () => {
    const store = createEventStoreDbEventStore({ connection: server });
    await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [newEvent()] }]);
    const appendToStream = server.appendToStream.bind(server);
    let raced = false;
    server.appendToStream = async (streamName, events, options) => {
      if (!raced) {
        raced = true; // another writer appends between our read and our write
        await appendToStream(streamName, [{ id: '00000000-0000-4000-8000-0000000000bb', contentType: 'application/json', type: 't', data: {}, metadata: { tenant: 'acme', source: 'urn:other', id: 'x', time: new Date().toISOString() } }], { expectedRevision: 'any' });
      }
      return appendToStream(streamName, events, options);
    };
    const result = await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [newEvent()] }]);
    expect(result.stored.map((e) => e.streamVersion)).toEqual([3n]);
  });

  it('given a dropped subscription, when the server comes back, then delivery resumes after the last event handled, none lost or repeated', async () => {
    const store = createEventStoreDbEventStore({ connection: server, retryBackoff: { initialMs: 5, maxMs: 20 } });
    const seen: StoredEvent[] = [];
    const errors: unknown[] = [];
    const subscription = store.subscribe({ after: await store.headPosition(), handler: async (batch) => void seen.push(...batch), onError: (e) => errors.push(e) });
    const first = await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [newEvent(), newEvent()] }]);
    await subscription.caughtUp();
    server.dropSubscriptions(new Error('connection lost'));
    const second = await store.append('acme', [{ streamId: 't', expectedVersion: 'any', events: [newEvent()] }]);
    await subscription.caughtUp();
    await subscription.stop();
    expect(seen.map((e) => e.id)).toEqual([...first.stored, ...second.stored].map((e) => e.id));
    expect(errors.map((e) => (e as Error).message)).toContain('connection lost');
  });

  it('uses the client’s error for a conflict only internally: callers get the port’s WrongExpectedVersionError', async () => {
    const store = createEventStoreDbEventStore({ connection: server });
    await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [newEvent()] }]);
    const error = await store.append('acme', [{ streamId: 's', expectedVersion: 'no_stream', events: [newEvent()] }]).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(EsdbWrongExpectedVersionError);
    expect(error).toMatchObject({ code: 'STREAM.WRONG_EXPECTED_VERSION', streamId: 's', actual: 1n });
  });
});

describe('EventStoreDB connection', () => {
  it('given KurrentDB schemes, when connecting, then they are read as esdb ones', () => {
    expect(toEsdbConnectionString('kurrentdb://admin:changeit@db:2113?tls=false')).toBe('esdb://admin:changeit@db:2113?tls=false');
    expect(toEsdbConnectionString('kurrentdb+discover://db.example:2113')).toBe('esdb+discover://db.example:2113');
    expect(toEsdbConnectionString('kurrent://db:2113')).toBe('esdb://db:2113');
    expect(toEsdbConnectionString('esdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
  });

  it('given a connection string, when connecting, then nothing is dialled before the first call', async () => {
    const connection = connectEventStoreDb('kurrentdb://127.0.0.1:1?tls=false');
    await connection.dispose();
  });

  it('given a filtered read of $all, when the request is built, then it carries the position, count, direction and stream-name prefixes', () => {
    const request = buildFilteredReadAllRequest({
      fromPosition: { commit: 42n, prepare: 40n },
      maxCount: 101,
      direction: 'forwards',
      filter: { filterOn: 'streamName', prefixes: ['rl/acme/'], checkpointInterval: 1 },
    });
    const options = request.getOptions()!;
    expect(options.getAll()!.getPosition()!.getCommitPosition()).toBe('42');
    expect(options.getAll()!.getPosition()!.getPreparePosition()).toBe('40');
    expect(options.getCount()).toBe('101');
    expect(options.getReadDirection()).toBe(0);
    expect(options.hasSubscription()).toBe(false);
    expect(options.getFilter()!.getStreamIdentifier()!.getPrefixList()).toEqual(['rl/acme/']);
    expect(options.getFilter()!.hasCount()).toBe(true);

    const backwards = buildFilteredReadAllRequest({ fromPosition: 'end', maxCount: 1, direction: 'backwards', filter: { filterOn: 'streamName', prefixes: ['rl/'], checkpointInterval: 1 } });
    expect(backwards.getOptions()!.getAll()!.hasEnd()).toBe(true);
    expect(backwards.getOptions()!.getReadDirection()).toBe(1);
  });
});
