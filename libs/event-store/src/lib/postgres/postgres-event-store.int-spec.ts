import { comparePositions, type NewEvent, START, type StoredEvent, WrongExpectedVersionError } from '../event-store.port';
import { eventually, newEvent, openTestStore, sleep, type TestStore, waitUntilVisible } from './postgres-event-store.test-kit';

let t: TestStore;

beforeAll(async () => {
  t = await openTestStore();
});

afterAll(async () => {
  await t?.close();
});

const last = (events: readonly StoredEvent[]): StoredEvent => events[events.length - 1];
const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);

describe('PostgreSQL event store: append and read', () => {
  it('given an empty store, when asked for its head, then it is START', async () => {
    expect(await t.store.headPosition()).toEqual(START);
    expect(await t.store.lastCommittedPosition()).toEqual(START);
    expect(await t.store.readAll()).toEqual([]);
    expect(await t.store.lagAfter(START)).toEqual({ events: 0 });
  });

  it('given new events, when appended, then they are stored with 1-based versions and read back as stored', async () => {
    const events: NewEvent[] = [
      newEvent({ subject: 'out-1', data: { outputId: 'out-1', nested: { list: [1, 'two', null], big: 12345678901234 } } }),
      newEvent({ data: { outputId: 'out-1', note: 'quote " and backslash \\ and ünïcødé' } }),
    ];
    const result = await t.store.append('acme', [{ streamId: 'output-1', expectedVersion: 'no_stream', events }]);

    expect(result.duplicates).toEqual([]);
    expect(result.stored.map((e) => e.streamVersion)).toEqual([1n, 2n]);
    expect(result.stored[0].position.transactionId).toBe(result.stored[1].position.transactionId);
    expect(result.stored[0].position.globalPosition < result.stored[1].position.globalPosition).toBe(true);

    const read = await t.store.readStream('acme', 'output-1');
    expect(read).toEqual(result.stored);
    expect(read[0]).toMatchObject({ tenant: 'acme', streamId: 'output-1', subject: 'out-1', time: new Date('2025-03-01T10:00:00.000Z') });
    expect('subject' in read[1]).toBe(false);
    expect(read[1].data).toEqual({ outputId: 'out-1', note: 'quote " and backslash \\ and ünïcødé' });
    expect(read[0].recordedAt).toBeInstanceOf(Date);
    expect(typeof read[0].position.globalPosition).toBe('bigint');
  });

  it('given an event PostgreSQL cannot store (NUL, a lone surrogate, data too deep to serialize), then the append fails with a typed error naming it before any SQL, and strings that merely look like escapes are stored', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const odd: [Partial<NewEvent>, string][] = [
      [{ data: { note: 'a\u0000b' } }, 'data'],
      [{ data: { ['k\u0000']: 1 } }, 'data'],
      [{ data: { note: 'lone \ud800' } }, 'data'],
      [{ data: { deep } }, 'data'],
      [{ id: 'id\u0000' }, 'id'],
      [{ source: 'urn:\udc00' }, 'source'],
      [{ subject: 'a\u0000' }, 'subject'],
    ];
    for (const [overrides, field] of odd) {
      const attempt = t.store.append('acme', [{ streamId: 'unstorable', expectedVersion: 'any', events: [newEvent(), newEvent(overrides)] }]);
      await expect(attempt).rejects.toMatchObject({ code: 'EVENT_STORE.INVALID_APPEND', field, retriable: false });
    }
    expect(await t.store.readStream('acme', 'unstorable')).toEqual([]);
    const lookalikes = { backslashU: '\\u0000 and \\ud800', pair: '😀', escaped: '\\\\u0000' };
    await t.store.append('acme', [{ streamId: 'lookalikes', expectedVersion: 'any', events: [newEvent({ data: lookalikes })] }]);
    expect((await t.store.readStream('acme', 'lookalikes'))[0].data).toEqual(lookalikes);
  });

  it('given a stream, when read from a version with a limit, then that slice comes back in numeric order', async () => {
    await t.store.append('acme', [{ streamId: 'slice', expectedVersion: 'any', events: Array.from({ length: 12 }, () => newEvent()) }]);
    const slice = await t.store.readStream('acme', 'slice', { fromVersion: 8n, limit: 4 });
    expect(slice.map((e) => e.streamVersion)).toEqual([8n, 9n, 10n, 11n]);
    expect((await t.store.readStream('acme', 'slice')).map((e) => e.streamVersion)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    expect(await t.store.readStream('other-tenant', 'slice')).toEqual([]);
  });

  it('given several streams in one call, when appended, then they share one transaction', async () => {
    const result = await t.store.append('acme', [
      { streamId: 'multi-a', expectedVersion: 'any', events: [newEvent()] },
      { streamId: 'multi-b', expectedVersion: 'any', events: [newEvent(), newEvent()] },
    ]);
    expect(new Set(result.stored.map((e) => e.position.transactionId)).size).toBe(1);
    expect(result.stored.map((e) => [e.streamId, e.streamVersion])).toEqual([
      ['multi-a', 1n],
      ['multi-b', 1n],
      ['multi-b', 2n],
    ]);
  });
});

describe('PostgreSQL event store: expected versions', () => {
  const expectWrongVersion = async (promise: Promise<unknown>, fields: Partial<WrongExpectedVersionError>): Promise<void> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ code: 'STREAM.WRONG_EXPECTED_VERSION', ...fields });
  };

  it('given an existing stream, when appending with no_stream, then it fails with the actual version', async () => {
    await t.store.append('acme', [{ streamId: 'ev-1', expectedVersion: 'no_stream', events: [newEvent()] }]);
    await expectWrongVersion(t.store.append('acme', [{ streamId: 'ev-1', expectedVersion: 'no_stream', events: [newEvent()] }]), {
      streamId: 'ev-1',
      expected: 'no_stream',
      actual: 1n,
    });
  });

  it('given no stream, when appending with stream_exists, then it fails with no actual version', async () => {
    await expectWrongVersion(t.store.append('acme', [{ streamId: 'ev-missing', expectedVersion: 'stream_exists', events: [newEvent()] }]), {
      streamId: 'ev-missing',
      expected: 'stream_exists',
      actual: undefined,
    });
    expect(await t.store.readStream('acme', 'ev-missing')).toEqual([]);
  });

  it('given a stream at version 2, when appending at 1 it fails and at 2 it succeeds', async () => {
    await t.store.append('acme', [{ streamId: 'ev-2', expectedVersion: 'any', events: [newEvent(), newEvent()] }]);
    await expectWrongVersion(t.store.append('acme', [{ streamId: 'ev-2', expectedVersion: 1n, events: [newEvent()] }]), { expected: 1n, actual: 2n });
    const ok = await t.store.append('acme', [{ streamId: 'ev-2', expectedVersion: 2n, events: [newEvent()] }]);
    expect(ok.stored[0].streamVersion).toBe(3n);
    const exists = await t.store.append('acme', [{ streamId: 'ev-2', expectedVersion: 'stream_exists', events: [newEvent()] }]);
    expect(exists.stored[0].streamVersion).toBe(4n);
  });

  it('given the same stream in another tenant, when appending with no_stream, then the tenants do not interfere', async () => {
    await t.store.append('acme', [{ streamId: 'shared-name', expectedVersion: 'no_stream', events: [newEvent()] }]);
    const other = await t.store.append('globex', [{ streamId: 'shared-name', expectedVersion: 'no_stream', events: [newEvent()] }]);
    expect(other.stored[0].streamVersion).toBe(1n);
  });

  it('given one failing stream among several, when appending, then nothing of the call is stored', async () => {
    await t.store.append('acme', [{ streamId: 'atomic-b', expectedVersion: 'any', events: [newEvent()] }]);
    const first = newEvent();
    await expectWrongVersion(
      t.store.append('acme', [
        { streamId: 'atomic-a', expectedVersion: 'no_stream', events: [first] },
        { streamId: 'atomic-b', expectedVersion: 'no_stream', events: [newEvent()] },
      ]),
      { streamId: 'atomic-b' },
    );
    expect(await t.store.readStream('acme', 'atomic-a')).toEqual([]);
    // The rolled-back attempt left no trace: the stream is still new and the event id still free.
    const retried = await t.store.append('acme', [{ streamId: 'atomic-a', expectedVersion: 'no_stream', events: [first] }]);
    expect(retried.stored.map((e) => e.streamVersion)).toEqual([1n]);
  });

  it('given concurrent writers at the same exact version, when they append, then exactly one wins', async () => {
    await t.store.append('acme', [{ streamId: 'race', expectedVersion: 'no_stream', events: [newEvent()] }]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => t.store.append('acme', [{ streamId: 'race', expectedVersion: 1n, events: [newEvent(), newEvent()] }])),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ expected: 1n, actual: 3n });
    }
    expect((await t.store.readStream('acme', 'race')).map((e) => e.streamVersion)).toEqual([1n, 2n, 3n]);
  });
});

describe('PostgreSQL event store: idempotency', () => {
  it('given a stored batch, when the same batch is appended again, then all of it is reported duplicate and nothing is stored', async () => {
    const events = [newEvent(), newEvent(), newEvent()];
    const first = await t.store.append('acme', [{ streamId: 'idem-1', expectedVersion: 'no_stream', events }]);
    const retry = await t.store.append('acme', [{ streamId: 'idem-1', expectedVersion: 'no_stream', events }]);
    expect(ids(first.stored)).toEqual(ids(events));
    expect(retry.stored).toEqual([]);
    expect(retry.duplicates).toEqual(events.map(({ source, id }) => ({ source, id })));
    expect(await t.store.readStream('acme', 'idem-1')).toHaveLength(3);
  });

  it('given a partly stored batch, when appended, then only the new events are stored, gaplessly', async () => {
    const [a, b, c] = [newEvent(), newEvent(), newEvent()];
    await t.store.append('acme', [{ streamId: 'idem-2', expectedVersion: 'any', events: [a] }]);
    const result = await t.store.append('acme', [{ streamId: 'idem-2', expectedVersion: 'any', events: [a, b, c] }]);
    expect(ids(result.stored)).toEqual([b.id, c.id]);
    expect(result.stored.map((e) => e.streamVersion)).toEqual([2n, 3n]);
    expect(ids(result.duplicates)).toEqual([a.id]);
  });

  it('given the same id twice in one call, when appended, then the second is a duplicate', async () => {
    const event = newEvent();
    const result = await t.store.append('acme', [
      { streamId: 'idem-3', expectedVersion: 'any', events: [event, event] },
      { streamId: 'idem-4', expectedVersion: 'any', events: [{ ...event, type: 'other' }] },
    ]);
    expect(ids(result.stored)).toEqual([event.id]);
    expect(result.duplicates).toEqual([
      { source: event.source, id: event.id },
      { source: event.source, id: event.id },
    ]);
  });

  it('given the same id from another source or tenant, when appended, then it is a different event', async () => {
    const event = newEvent();
    await t.store.append('acme', [{ streamId: 'idem-5', expectedVersion: 'any', events: [event] }]);
    const otherSource = await t.store.append('acme', [{ streamId: 'idem-5', expectedVersion: 'any', events: [{ ...event, source: 'urn:other' }] }]);
    const otherTenant = await t.store.append('globex', [{ streamId: 'idem-5', expectedVersion: 'any', events: [event] }]);
    expect(otherSource.stored).toHaveLength(1);
    expect(otherTenant.stored).toHaveLength(1);
  });
});

describe('PostgreSQL event store: global reads', () => {
  it('given events of two tenants, when reading all, then they come in global order, filtered by tenant on request', async () => {
    const start = await t.store.headPosition();
    const a1 = await t.store.append('tenant-a', [{ streamId: 's', expectedVersion: 'any', events: [newEvent(), newEvent()] }]);
    const b1 = await t.store.append('tenant-b', [{ streamId: 's', expectedVersion: 'any', events: [newEvent()] }]);
    const a2 = await t.store.append('tenant-a', [{ streamId: 's', expectedVersion: 'any', events: [newEvent()] }]);
    await waitUntilVisible(t.store, last(a2.stored).position);

    const all = await t.store.readAll({ after: start });
    expect(ids(all)).toEqual(ids([...a1.stored, ...b1.stored, ...a2.stored]));
    for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].position, all[i].position)).toBe(-1);
    expect(all).toEqual([...a1.stored, ...b1.stored, ...a2.stored]);

    expect(ids(await t.store.readAll({ after: start, tenant: 'tenant-a' }))).toEqual(ids([...a1.stored, ...a2.stored]));
    expect(ids(await t.store.readAll({ after: start, tenant: 'tenant-b' }))).toEqual(ids(b1.stored));
    expect(ids(await t.store.readAll({ after: a1.stored[0].position, limit: 2 }))).toEqual(ids([a1.stored[1], b1.stored[0]]));
    expect(await t.store.headPosition()).toEqual(last(a2.stored).position);
    expect(await t.store.lagAfter(a1.stored[1].position)).toEqual({ events: 2, oldestRecordedAt: b1.stored[0].recordedAt });
  });

  it('given a transaction in flight, when a younger one commits, then readers do not see it until the older one ends', async () => {
    const head = await t.store.headPosition();
    const blocker = await t.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()'); // takes a transaction id: it is now in flight
      const appended = await t.store.append('acme', [{ streamId: 'late', expectedVersion: 'any', events: [newEvent()] }]);
      await sleep(50);
      expect(await t.store.readAll({ after: head })).toEqual([]);
      expect(await t.store.headPosition()).toEqual(head);
      expect(await t.store.lastCommittedPosition()).toEqual(appended.stored[0].position);
      expect((await t.store.readStream('acme', 'late')).map((e) => e.id)).toEqual(ids(appended.stored));

      await blocker.query('ROLLBACK');
      await waitUntilVisible(t.store, appended.stored[0].position);
      expect(ids(await t.store.readAll({ after: head }))).toEqual(ids(appended.stored));
    } finally {
      blocker.release();
    }
  });
});

describe('PostgreSQL event store: the database ending connections', () => {
  it('given idle connections in the pool, when the server ends them (a restart), then the process stays up and the next append succeeds', async () => {
    // Several connections open, then idle in the pool (createPool's own listener hears their errors: none here).
    await Promise.all(Array.from({ length: 4 }, () => t.pool.query('SELECT pg_sleep(0.05)')));
    const idle = t.pool.idleCount;
    expect(idle).toBeGreaterThan(1);
    expect(t.pool.listenerCount('error')).toBe(1);
    // As a restart does: the server terminates every other connection to this database. Unheard, an idle client's
    // error would be thrown at the process (jest reports it as this test failing).
    const { rows } = await t.pool.query<{ ended: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    expect(rows[0].ended).toBeGreaterThanOrEqual(idle - 1);
    // The pool drops each ended connection as its error arrives: only the one that asked is left.
    await eventually(() => t.pool.totalCount <= 1, 10_000, 'the ended connections to leave the pool');
    expect(t.pool.totalCount).toBe(1);
    const appended = await t.store.append('acme', [{ streamId: 'after-restart', expectedVersion: 'any', events: [newEvent()] }]);
    expect(appended.stored).toHaveLength(1);
  });
});
