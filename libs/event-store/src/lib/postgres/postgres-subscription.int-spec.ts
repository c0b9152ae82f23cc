import { type Position, type StoredEvent } from '../event-store.port';
import { eventually, newEvent, openTestStore, sleep, type TestStore, waitUntilVisible } from './postgres-event-store.test-kit';

let t: TestStore;

beforeAll(async () => {
  t = await openTestStore({ pollIntervalMs: 100, retryBackoff: { initialMs: 20, maxMs: 100 } });
});

afterAll(async () => {
  await t?.close();
});

const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);

async function appendTo(tenant: string, streamId: string, count: number): Promise<StoredEvent[]> {
  const result = await t.store.append(tenant, [{ streamId, expectedVersion: 'any', events: Array.from({ length: count }, () => newEvent()) }]);
  return [...result.stored];
}

function collector(): { events: StoredEvent[]; handler: (batch: readonly StoredEvent[]) => Promise<void> } {
  const events: StoredEvent[] = [];
  return { events, handler: async (batch) => void events.push(...batch) };
}

describe('PostgreSQL subscriptions', () => {
  let origin: Position;

  beforeEach(async () => {
    origin = await t.store.headPosition();
  });

  it('given stored events, when subscribing, then it catches up in batches and then follows new events live', async () => {
    const history = await appendTo('sub', 'catch-up', 25);
    await waitUntilVisible(t.store, history[history.length - 1].position);
    const seen = collector();
    const batchSizes: number[] = [];
    const subscription = t.store.subscribe({
      after: origin,
      tenant: 'sub',
      batchSize: 10,
      handler: async (batch) => {
        batchSizes.push(batch.length);
        await seen.handler(batch);
      },
    });
    try {
      await subscription.caughtUp();
      expect(ids(seen.events)).toEqual(ids(history));
      expect(batchSizes.slice(0, 3)).toEqual([10, 10, 5]);

      const live = await appendTo('sub', 'live', 3);
      await eventually(() => seen.events.length === 28, 10_000, 'live events');
      expect(ids(seen.events.slice(25))).toEqual(ids(live));
    } finally {
      await subscription.stop();
    }
  });

  it('given a stopped subscription, when resuming from its checkpoint, then it delivers only what came after', async () => {
    const first = collector();
    const before = await appendTo('resume', 's', 4);
    await waitUntilVisible(t.store, before[3].position);
    const subscription = t.store.subscribe({ after: origin, tenant: 'resume', handler: first.handler });
    await subscription.caughtUp();
    await subscription.stop();
    const checkpoint = first.events[first.events.length - 1].position;
    expect(ids(first.events)).toEqual(ids(before));

    const after = await appendTo('resume', 's', 3);
    await waitUntilVisible(t.store, after[2].position);
    const second = collector();
    const resumed = t.store.subscribe({ after: checkpoint, tenant: 'resume', handler: second.handler });
    await resumed.caughtUp();
    await resumed.stop();
    expect(ids(second.events)).toEqual(ids(after));
    expect(first.events).toHaveLength(4);
  });

  it('given a failing handler, when it throws, then onError hears of it and the same batch is retried until it passes', async () => {
    const stored = await appendTo('flaky', 's', 5);
    await waitUntilVisible(t.store, stored[4].position);
    const attempts: string[][] = [];
    const errors: unknown[] = [];
    const subscription = t.store.subscribe({
      after: origin,
      tenant: 'flaky',
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
    expect(attempts).toEqual([ids(stored.slice(0, 3)), ids(stored.slice(0, 3)), ids(stored.slice(0, 3)), ids(stored.slice(3))]);
  });

  it('given an older transaction in flight, when a younger append commits and notifies, then delivery waits, and polling delivers once the older one ends without notifying', async () => {
    const seen = collector();
    const subscription = t.store.subscribe({ after: origin, tenant: 'held', handler: seen.handler });
    await subscription.caughtUp();
    const blocker = await t.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      const held = await appendTo('held', 's', 2);
      await sleep(300); // the notification and a few polls go by
      expect(seen.events).toEqual([]);
      await blocker.query('ROLLBACK'); // ends the older transaction without any notification
      await eventually(() => seen.events.length === 2, 10_000, 'held-back events');
      expect(ids(seen.events)).toEqual(ids(held));
    } finally {
      blocker.release();
      await subscription.stop();
    }
  });

  it('given a running subscription, when stopped, then it gives its client back and stops delivering', async () => {
    const seen = collector();
    const subscription = t.store.subscribe({ after: origin, tenant: 'stop', handler: seen.handler });
    await subscription.caughtUp();
    expect(t.pool.totalCount - t.pool.idleCount).toBe(1); // its dedicated client is checked out
    await subscription.stop();
    expect(t.pool.totalCount - t.pool.idleCount).toBe(0);
    await expect(subscription.caughtUp()).rejects.toMatchObject({ code: 'EVENT_STORE.SUBSCRIPTION_STOPPED' });

    await appendTo('stop', 's', 1);
    await sleep(250);
    expect(seen.events).toEqual([]);
  });

  it('given a handler still working, when stopped, then stop waits for it and no further batch starts', async () => {
    const stored = await appendTo('slow', 's', 4);
    await waitUntilVisible(t.store, stored[3].position);
    let calls = 0;
    let finished = 0;
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    const subscription = t.store.subscribe({
      after: origin,
      tenant: 'slow',
      batchSize: 2,
      handler: async () => {
        calls += 1;
        release();
        await sleep(150);
        finished += 1;
      },
    });
    await started;
    await subscription.stop();
    expect(finished).toBe(calls);
    expect(calls).toBe(1);
  });

  it('given the store is closed, when it closes, then its subscriptions stop', async () => {
    const other = await openTestStore();
    try {
      const subscription = other.store.subscribe({ after: origin, handler: async () => undefined });
      await subscription.caughtUp();
      await other.store.close();
      await expect(subscription.caughtUp()).rejects.toMatchObject({ code: 'EVENT_STORE.SUBSCRIPTION_STOPPED' });
      expect(() => other.store.subscribe({ after: origin, handler: async () => undefined })).toThrow(/closed/);
    } finally {
      await other.close();
    }
  });
});
