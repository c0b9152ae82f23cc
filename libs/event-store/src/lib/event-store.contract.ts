// The behaviour every EventStore adapter owes its callers, as one jest suite that each adapter's spec runs against its
// own store: PostgreSQL always, EventStoreDB when a server is given. Imported through `@rework-ledger/event-store/testing`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions, type EventStore, type NewEvent, type Position, type StoredEvent, WrongExpectedVersionError } from './event-store.port';

/** A store to test, and how to let go of it. The store may hold other data: every test uses tenants of its own. */
export type ContractStore = Readonly<{ store: EventStore; close(): Promise<void> }>;

export type ContractOptions = Readonly<{
  /** How long a test waits for a subscription or for visibility (default 15 s). */
  timeoutMs?: number;
}>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);
const keys = (events: readonly { source: string; id: string }[]) => events.map(({ source, id }) => ({ source, id }));
const last = <T>(items: readonly T[]): T => items[items.length - 1];

/** Polls until `predicate` holds, failing after `timeoutMs`. */
async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * Registers the contract suite for one adapter. `open` is called once for the suite; every test writes to tenants
 * named after a random run id, so the suite can run against a server that keeps data from earlier runs.
 */
export function describeEventStoreContract(name: string, open: () => Promise<ContractStore>, options: ContractOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  let counter = 0;
  const tenant = (label: string): string => `contract-${run}-${label}`;
  const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => {
    counter += 1;
    return {
      id: `evt-${run}-${counter}`,
      source: 'urn:contract',
      type: 'ai.output.generated',
      time: new Date('2025-03-01T10:00:00.000Z'),
      data: { n: counter },
      ...overrides,
    };
  };
  const events = (count: number): NewEvent[] => Array.from({ length: count }, () => newEvent());

  let opened: ContractStore | undefined;
  const store = (): EventStore => {
    if (!opened) throw new Error(`the ${name} store did not open`);
    return opened.store;
  };
  /** Global reads may trail appends (PostgreSQL holds them behind older transactions in flight): wait, never assume. */
  const waitUntilVisible = (position: Position): Promise<void> =>
    eventually(async () => comparePositions(await store().headPosition(), position) >= 0, timeoutMs, 'the appended events to be readable');
  const appendTo = async (to: string, streamId: string, count: number): Promise<StoredEvent[]> => [
    ...(await store().append(to, [{ streamId, expectedVersion: 'any', events: events(count) }])).stored,
  ];
  const collector = () => {
    const seen: StoredEvent[] = [];
    return { seen, handler: async (batch: readonly StoredEvent[]) => void seen.push(...batch) };
  };

  describe(`EventStore contract: ${name}`, () => {
    beforeAll(async () => {
      opened = await open();
    }, 120_000);
    afterAll(async () => {
      await opened?.close();
    }, 60_000);

    it('names the kind of its log and says whether it deduplicates on append', () => {
      expect(typeof store().kind).toBe('string');
      expect(store().kind.length).toBeGreaterThan(0);
      expect(typeof store().deduplicatesOnAppend).toBe('boolean');
    });

    describe('append', () => {
      it('given new events, when appended, then they get 1-based versions in order and read back exactly as stored', async () => {
        const t = tenant('append');
        const given = [
          newEvent({ subject: 'out-1', data: { outputId: 'out-1', nested: { list: [1, 'two', null], big: 12345678901234 } } }),
          newEvent({ data: { outputId: 'out-1', note: 'quote " and backslash \\ and ünïcødé' } }),
        ];
        const result = await store().append(t, [{ streamId: 'output-1', expectedVersion: 'no_stream', events: given }]);

        expect(result.duplicates).toEqual([]);
        expect(ids(result.stored)).toEqual(ids(given));
        expect(result.stored.map((e) => e.streamVersion)).toEqual([1n, 2n]);
        expect(comparePositions(result.stored[0].position, result.stored[1].position)).toBe(-1);
        const read = await store().readStream(t, 'output-1');
        expect(read).toEqual(result.stored);
        expect(read[0]).toMatchObject({ tenant: t, streamId: 'output-1', source: 'urn:contract', type: 'ai.output.generated', subject: 'out-1' });
        expect(read[0].time).toEqual(new Date('2025-03-01T10:00:00.000Z'));
        expect('subject' in read[1]).toBe(false);
        expect(read[1].data).toEqual({ outputId: 'out-1', note: 'quote " and backslash \\ and ünïcødé' });
        expect(read[0].recordedAt).toBeInstanceOf(Date);
        expect(typeof read[0].position.transactionId).toBe('bigint');
        expect(typeof read[0].position.globalPosition).toBe('bigint');
      });

      it('given several streams in one call, when appended, then each stream numbers its own events', async () => {
        const t = tenant('multi');
        const result = await store().append(t, [
          { streamId: 'multi-a', expectedVersion: 'any', events: events(1) },
          { streamId: 'multi-b', expectedVersion: 'any', events: events(2) },
          { streamId: 'multi-a', expectedVersion: 'any', events: events(1) },
        ]);
        expect(result.stored.map((e) => [e.streamId, e.streamVersion])).toEqual([
          ['multi-a', 1n],
          ['multi-b', 1n],
          ['multi-b', 2n],
          ['multi-a', 2n],
        ]);
      });
    });

    describe('expected versions and concurrency', () => {
      const expectWrongVersion = async (promise: Promise<unknown>, fields: Record<string, unknown>): Promise<void> => {
        const error = await rejection(promise);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ code: 'STREAM.WRONG_EXPECTED_VERSION', ...fields });
      };

      it('given an existing stream, when appending with no_stream, then it fails with the actual version', async () => {
        const t = tenant('no-stream');
        await store().append(t, [{ streamId: 's', expectedVersion: 'no_stream', events: events(1) }]);
        await expectWrongVersion(store().append(t, [{ streamId: 's', expectedVersion: 'no_stream', events: events(1) }]), {
          streamId: 's',
          expected: 'no_stream',
          actual: 1n,
        });
      });

      it('given no stream, when appending with stream_exists, then it fails with no actual version and stores nothing', async () => {
        const t = tenant('exists');
        await expectWrongVersion(store().append(t, [{ streamId: 'missing', expectedVersion: 'stream_exists', events: events(1) }]), {
          streamId: 'missing',
          expected: 'stream_exists',
          actual: undefined,
        });
        expect(await store().readStream(t, 'missing')).toEqual([]);
      });

      it('given a stream at version 2, when appending at 1 it fails, and at 2 and with stream_exists it succeeds', async () => {
        const t = tenant('exact');
        await appendTo(t, 's', 2);
        await expectWrongVersion(store().append(t, [{ streamId: 's', expectedVersion: 1n, events: events(1) }]), { expected: 1n, actual: 2n });
        const ok = await store().append(t, [{ streamId: 's', expectedVersion: 2n, events: events(1) }]);
        expect(ok.stored.map((e) => e.streamVersion)).toEqual([3n]);
        const exists = await store().append(t, [{ streamId: 's', expectedVersion: 'stream_exists', events: events(1) }]);
        expect(exists.stored.map((e) => e.streamVersion)).toEqual([4n]);
      });

      it('given the same stream name in two tenants, when both append with no_stream, then they do not interfere', async () => {
        await store().append(tenant('left'), [{ streamId: 'shared', expectedVersion: 'no_stream', events: events(1) }]);
        const other = await store().append(tenant('right'), [{ streamId: 'shared', expectedVersion: 'no_stream', events: events(1) }]);
        expect(other.stored.map((e) => e.streamVersion)).toEqual([1n]);
        expect(await store().readStream(tenant('right'), 'shared')).toHaveLength(1);
      });

      it('given a wrong version on one stream of a call, when appending, then no stream of the call is written', async () => {
        const t = tenant('atomic');
        await appendTo(t, 'b', 1);
        const first = newEvent();
        await expectWrongVersion(
          store().append(t, [
            { streamId: 'a', expectedVersion: 'no_stream', events: [first] },
            { streamId: 'b', expectedVersion: 'no_stream', events: events(1) },
          ]),
          { streamId: 'b' },
        );
        expect(await store().readStream(t, 'a')).toEqual([]);
        const retried = await store().append(t, [{ streamId: 'a', expectedVersion: 'no_stream', events: [first] }]);
        expect(retried.stored.map((e) => e.streamVersion)).toEqual([1n]);
      });

      it('given concurrent writers at the same exact version, when they append, then exactly one wins and versions stay gapless', async () => {
        const t = tenant('race');
        await appendTo(t, 'race', 1);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, () => store().append(t, [{ streamId: 'race', expectedVersion: 1n, events: events(2) }])),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
            expect(outcome.reason).toMatchObject({ expected: 1n, actual: 3n });
          }
        }
        expect((await store().readStream(t, 'race')).map((e) => e.streamVersion)).toEqual([1n, 2n, 3n]);
      });

      it('given concurrent writers with expected version any, when they append, then every event is stored once, gaplessly', async () => {
        const t = tenant('any');
        const batches = Array.from({ length: 5 }, () => events(3));
        await Promise.all(batches.map((batch) => store().append(t, [{ streamId: 'shared', expectedVersion: 'any', events: batch }])));
        const read = await store().readStream(t, 'shared');
        expect(read.map((e) => e.streamVersion)).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(i + 1)));
        expect(new Set(ids(read))).toEqual(new Set(ids(batches.flat())));
      });
    });

    describe('idempotent retries', () => {
      it('given a stored batch, when the same batch is appended again, then all of it is a duplicate and nothing is stored', async () => {
        const t = tenant('idem');
        const batch = events(3);
        await store().append(t, [{ streamId: 's', expectedVersion: 'no_stream', events: batch }]);
        // The retry carries the expected version of the first attempt: an append that already happened succeeds.
        const retry = await store().append(t, [{ streamId: 's', expectedVersion: 'no_stream', events: batch }]);
        expect(retry.stored).toEqual([]);
        expect(retry.duplicates).toEqual(keys(batch));
        expect(ids(await store().readStream(t, 's'))).toEqual(ids(batch));
      });

      it('given a partly stored batch, when appended, then only the new events are stored, gaplessly', async () => {
        const t = tenant('partial');
        const [a, b, c] = events(3);
        await store().append(t, [{ streamId: 's', expectedVersion: 'any', events: [a] }]);
        const result = await store().append(t, [{ streamId: 's', expectedVersion: 'any', events: [a, b, c] }]);
        expect(ids(result.stored)).toEqual([b.id, c.id]);
        expect(result.stored.map((e) => e.streamVersion)).toEqual([2n, 3n]);
        expect(result.duplicates).toEqual(keys([a]));
      });

      it('given the same id twice in one call, when appended, then the second is a duplicate', async () => {
        const t = tenant('twice');
        const event = newEvent();
        const result = await store().append(t, [{ streamId: 's', expectedVersion: 'any', events: [event, event] }]);
        expect(ids(result.stored)).toEqual([event.id]);
        expect(result.duplicates).toEqual(keys([event]));
      });

      it('given the same id from another source or another tenant, when appended, then it is a different event', async () => {
        const t = tenant('identity');
        const event = newEvent();
        await store().append(t, [{ streamId: 's', expectedVersion: 'any', events: [event] }]);
        const otherSource = await store().append(t, [{ streamId: 's', expectedVersion: 'any', events: [{ ...event, source: 'urn:other' }] }]);
        const otherTenant = await store().append(tenant('identity-2'), [{ streamId: 's', expectedVersion: 'any', events: [event] }]);
        expect(otherSource.stored).toHaveLength(1);
        expect(otherTenant.stored).toHaveLength(1);
      });
    });

    describe('reading a stream', () => {
      it('given a stream, when read from a version with a limit, then that slice comes back in order', async () => {
        const t = tenant('slice');
        await appendTo(t, 'slice', 12);
        expect((await store().readStream(t, 'slice', { fromVersion: 8n, limit: 4 })).map((e) => e.streamVersion)).toEqual([8n, 9n, 10n, 11n]);
        expect((await store().readStream(t, 'slice')).map((e) => e.streamVersion)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
        expect(await store().readStream(t, 'slice', { fromVersion: 13n })).toEqual([]);
        expect(await store().readStream(t, 'no-such-stream')).toEqual([]);
        expect(await store().readStream(tenant('slice-other'), 'slice')).toEqual([]);
      });
    });

    describe('reading all', () => {
      it('given events of two tenants, when reading all, then they come in global order, by tenant on request, after a position', async () => {
        const [ta, tb] = [tenant('all-a'), tenant('all-b')];
        const origin = await store().headPosition();
        const a1 = await appendTo(ta, 's', 2);
        const b1 = await appendTo(tb, 's', 1);
        const a2 = await appendTo(ta, 's', 1);
        await waitUntilVisible(last(a2).position);
        const ours = new Set([ta, tb]);

        const all = (await store().readAll({ after: origin })).filter((e) => ours.has(e.tenant));
        expect(all).toEqual([...a1, ...b1, ...a2]);
        for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].position, all[i].position)).toBe(-1);

        expect(ids(await store().readAll({ after: origin, tenant: ta }))).toEqual(ids([...a1, ...a2]));
        expect(ids(await store().readAll({ after: origin, tenant: tb }))).toEqual(ids(b1));
        expect(ids(await store().readAll({ after: a1[0].position, tenant: ta, limit: 2 }))).toEqual(ids([a1[1], a2[0]]));
        expect(await store().readAll({ after: last(a2).position, tenant: ta })).toEqual([]);
        expect(comparePositions(await store().headPosition(), last(a2).position)).toBeGreaterThanOrEqual(0);
        expect(comparePositions(await store().lastCommittedPosition(), last(a2).position)).toBeGreaterThanOrEqual(0);
        const lag = await store().lagAfter(a1[1].position);
        expect(lag.events).toBeGreaterThanOrEqual(2);
        expect(lag.oldestRecordedAt).toBeInstanceOf(Date);
      });

      it('given a page size, when reading all page by page, then every event comes once, in order', async () => {
        const t = tenant('pages');
        const origin = await store().headPosition();
        const stored = [...(await appendTo(t, 'a', 4)), ...(await appendTo(t, 'b', 3)), ...(await appendTo(t, 'a', 2))];
        await waitUntilVisible(last(stored).position);
        const read: StoredEvent[] = [];
        let after = origin;
        for (let page = 0; page < 20; page++) {
          const events = await store().readAll({ after, tenant: t, limit: 2 });
          if (events.length === 0) break;
          expect(events.length).toBeLessThanOrEqual(2);
          read.push(...events);
          after = last(events).position;
        }
        expect(ids(read)).toEqual(ids(stored));
      });
    });

    describe('subscriptions', () => {
      it(
        'given stored events, when subscribing, then it catches up in batches and then follows new events live',
        async () => {
          const t = tenant('sub');
          const origin = await store().headPosition();
          const history = await appendTo(t, 'history', 25);
          await waitUntilVisible(last(history).position);
          const { seen, handler } = collector();
          const batchSizes: number[] = [];
          const subscription = store().subscribe({
            after: origin,
            tenant: t,
            batchSize: 10,
            handler: async (batch) => {
              batchSizes.push(batch.length);
              await handler(batch);
            },
          });
          try {
            await subscription.caughtUp();
            expect(ids(seen)).toEqual(ids(history));
            expect(Math.max(...batchSizes)).toBeLessThanOrEqual(10);

            const live = await appendTo(t, 'live', 3);
            await eventually(() => seen.length === 28, timeoutMs, 'the live events');
            expect(ids(seen.slice(25))).toEqual(ids(live));
            expect(seen.slice(25)).toEqual(live);
          } finally {
            await subscription.stop();
          }
        },
        timeoutMs * 3,
      );

      it(
        'given a subscription to some types, then it delivers every event of those types in order and reads past the others up to the last',
        async () => {
          const t = tenant('types');
          const origin = await store().headPosition();
          const kinds = ['kept', 'other', 'kept', 'other', 'other', 'kept', 'other', 'other'];
          const stored = [...(await store().append(t, [{ streamId: 'mixed', expectedVersion: 'any', events: kinds.map((kind) => newEvent({ type: `contract.${kind}` })) }])).stored];
          await waitUntilVisible(last(stored).position);
          const seen: StoredEvent[] = [];
          let readTo = origin;
          const subscription = store().subscribe({
            after: origin,
            tenant: t,
            types: ['contract.kept'],
            batchSize: 2,
            handler: async (batch, to) => {
              seen.push(...batch);
              readTo = to;
            },
          });
          try {
            await subscription.caughtUp();
          } finally {
            await subscription.stop();
          }
          // A store may deliver other types too (the port allows it); those of the types come, all and in order.
          expect(ids(seen.filter((event) => event.type === 'contract.kept'))).toEqual(ids(stored.filter((event) => event.type === 'contract.kept')));
          expect(comparePositions(readTo, last(stored).position)).toBeGreaterThanOrEqual(0);
        },
        timeoutMs * 3,
      );

      it(
        'given a stopped subscription, when resuming from the last position it handled, then it delivers only what came after',
        async () => {
          const t = tenant('resume');
          const origin = await store().headPosition();
          const before = await appendTo(t, 's', 4);
          await waitUntilVisible(last(before).position);
          const first = collector();
          const subscription = store().subscribe({ after: origin, tenant: t, handler: first.handler });
          await subscription.caughtUp();
          await subscription.stop();
          expect(ids(first.seen)).toEqual(ids(before));
          const checkpoint = last(first.seen).position;

          const after = await appendTo(t, 's', 3);
          await waitUntilVisible(last(after).position);
          const second = collector();
          const resumed = store().subscribe({ after: checkpoint, tenant: t, handler: second.handler });
          await resumed.caughtUp();
          await resumed.stop();
          expect(ids(second.seen)).toEqual(ids(after));
          expect(first.seen).toHaveLength(4);
        },
        timeoutMs * 3,
      );

      it(
        'given a failing handler, when it throws, then onError hears of it and the same events come again until it passes',
        async () => {
          const t = tenant('flaky');
          const origin = await store().headPosition();
          const stored = await appendTo(t, 's', 5);
          await waitUntilVisible(last(stored).position);
          const attempts: string[][] = [];
          const errors: unknown[] = [];
          const subscription = store().subscribe({
            after: origin,
            tenant: t,
            batchSize: 3,
            handler: async (batch) => {
              attempts.push(ids(batch));
              if (attempts.length <= 2) throw new Error(`projection down (${attempts.length})`);
            },
            onError: (error) => errors.push(error),
          });
          await subscription.caughtUp();
          await subscription.stop();
          expect(errors.map((e) => (e as Error).message)).toEqual(['projection down (1)', 'projection down (2)']);
          expect(attempts[1]).toEqual(attempts[0]);
          expect(attempts[2]).toEqual(attempts[0]);
          expect(attempts.slice(2).flat()).toEqual(ids(stored));
        },
        timeoutMs * 3,
      );

      it(
        'given a running subscription, when stopped, then it stops delivering and caughtUp rejects',
        async () => {
          const t = tenant('stop');
          const origin = await store().headPosition();
          const { seen, handler } = collector();
          const subscription = store().subscribe({ after: origin, tenant: t, handler });
          await subscription.caughtUp();
          await subscription.stop();
          await expect(subscription.caughtUp()).rejects.toMatchObject({ code: 'EVENT_STORE.SUBSCRIPTION_STOPPED' });
          await appendTo(t, 's', 1);
          await sleep(300);
          expect(seen).toEqual([]);
        },
        timeoutMs * 3,
      );
    });
  });
}
