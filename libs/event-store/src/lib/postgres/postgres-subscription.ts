import { LedgerError } from '@rework-ledger/domain';
import type { Notification, Pool, PoolClient } from 'pg';
import { comparePositions, type Position, type SubscribeOptions, type Subscription } from '../event-store.port';
import { selectPage, type SubscriptionPage } from './event-rows';
import { EVENT_STORE_CHANNEL } from './event-store.schema';

export type SubscriptionSettings = Readonly<{
  pool: Pool;
  pollIntervalMs: number;
  retryBackoff: Readonly<{ initialMs: number; maxMs: number }>;
}>;

export const DEFAULT_SUBSCRIPTION_BATCH_SIZE = 500;

/** A caughtUp() call still waiting: resolved by the first complete read that started after it. */
type Waiter = { ticket: number; resolve: () => void; reject: (error: unknown) => void };

/**
 * Starts a subscription on its own pooled client: it LISTENs there and reads there, so it never competes with appends
 * for the pool. Reads go up to the oldest transaction in flight; a notification or the poll timer starts the next read.
 * A failing handler gets the same batch again after a backoff, so no event is ever skipped.
 */
export function startPostgresSubscription(settings: SubscriptionSettings, options: SubscribeOptions): Subscription {
  const batchSize = options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new LedgerError('EVENT_STORE.INVALID_SUBSCRIPTION', 'batchSize must be a positive integer', 'batchSize');

  let position: Position = options.after;
  let stopped = false;
  let client: PoolClient | undefined;
  let clientBroken = false;
  /** A notification (or a caughtUp() call) arrived since the last read started: read again without waiting. */
  let wakeRequested = false;
  let interruptIdle: (() => void) | undefined;
  let interruptBackoff: (() => void) | undefined;
  let tickets = 0;
  const waiters: Waiter[] = [];

  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // A failing error callback must not stop the subscription.
    }
  };
  const onNotification = (_: Notification): void => {
    wakeRequested = true;
    interruptIdle?.();
  };
  const onClientError = (error: Error): void => {
    clientBroken = true;
    report(error);
    interruptIdle?.();
  };

  const pause = (ms: number, kind: 'idle' | 'backoff'): Promise<void> =>
    new Promise((resolve) => {
      if (stopped || (kind === 'idle' && wakeRequested)) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        if (kind === 'idle') interruptIdle = undefined;
        else interruptBackoff = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (kind === 'idle') interruptIdle = done;
      else interruptBackoff = done;
    });
  const backoff = (failures: number): number => Math.min(settings.retryBackoff.maxMs, settings.retryBackoff.initialMs * 2 ** Math.min(failures, 30));

  const connect = async (): Promise<PoolClient> => {
    if (client && !clientBroken) return client;
    discardClient();
    const fresh = await settings.pool.connect();
    fresh.on('notification', onNotification);
    fresh.on('error', onClientError);
    try {
      await fresh.query(`LISTEN ${EVENT_STORE_CHANNEL}`);
    } catch (error) {
      detach(fresh);
      fresh.release(true);
      throw error;
    }
    client = fresh;
    clientBroken = false;
    return fresh;
  };
  const detach = (c: PoolClient): void => {
    c.off('notification', onNotification);
    c.off('error', onClientError);
  };
  const discardClient = (): void => {
    if (!client) return;
    detach(client);
    client.release(true);
    client = undefined;
  };
  const releaseClient = async (): Promise<void> => {
    if (!client) return;
    const c = client;
    client = undefined;
    try {
      if (clientBroken) throw new Error('connection lost');
      await c.query('UNLISTEN *');
      detach(c);
      c.release();
    } catch {
      detach(c);
      c.release(true);
    }
  };

  /** Hands the batch to the handler until it succeeds; false if stopped first. */
  const deliver = async ({ events, readTo }: SubscriptionPage): Promise<boolean> => {
    for (let failures = 0; !stopped; failures++) {
      try {
        await options.handler(events, readTo);
        return true;
      } catch (error) {
        report(error);
        await pause(backoff(failures), 'backoff');
      }
    }
    return false;
  };

  const settleWaiters = (upTo: number): void => {
    while (waiters.length > 0 && waiters[0].ticket <= upTo) waiters.shift()?.resolve();
  };

  /** A read under way: the page after `after`, and the caughtUp() calls made before it started (which it answers). */
  type Read = { after: Position; coveredTickets: number; page: Promise<SubscriptionPage> };
  const startRead = (db: PoolClient, after: Position): Read => {
    // Every caughtUp() call made before this read is answered by it: what was visible then is visible now.
    const coveredTickets = tickets;
    wakeRequested = false;
    const page = selectPage(db, { after, limit: batchSize, tenant: options.tenant, types: options.types });
    // Awaited later, or dropped with its connection: never an unhandled rejection meanwhile.
    page.catch(() => undefined);
    return { after, coveredTickets, page };
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    /** Behind, the next page is read while the handler applies this one (the read on this connection, the handler's writes on its own). */
    let next: Read | undefined;
    while (!stopped) {
      try {
        const db = await connect();
        if (stopped) break;
        const read = next !== undefined && comparePositions(next.after, position) === 0 ? next : startRead(db, position);
        next = undefined;
        const page = await read.page;
        failures = 0;
        const full = page.events.length >= batchSize;
        if (full) next = startRead(db, page.readTo);
        // A subscription to some types is also told when it only moved past other events, so that its reader can say so.
        if (page.events.length > 0 || comparePositions(page.readTo, position) > 0) {
          if (!(await deliver(page))) break;
          position = page.readTo;
        }
        if (!full) {
          settleWaiters(read.coveredTickets);
          await pause(settings.pollIntervalMs, 'idle');
        }
      } catch (error) {
        next = undefined;
        report(error);
        discardClient();
        await pause(backoff(failures++), 'backoff');
      }
    }
  };

  const finished = run()
    .catch(report)
    .then(async () => {
      await releaseClient();
      const stoppedError = new LedgerError('EVENT_STORE.SUBSCRIPTION_STOPPED', 'the subscription stopped before it caught up');
      for (const waiter of waiters.splice(0)) waiter.reject(stoppedError);
    });

  return {
    caughtUp(): Promise<void> {
      if (stopped) return Promise.reject(new LedgerError('EVENT_STORE.SUBSCRIPTION_STOPPED', 'the subscription is stopped'));
      const ticket = ++tickets;
      const promise = new Promise<void>((resolve, reject) => waiters.push({ ticket, resolve, reject }));
      wakeRequested = true;
      interruptIdle?.();
      return promise;
    },
    async stop(): Promise<void> {
      stopped = true;
      interruptIdle?.();
      interruptBackoff?.();
      await finished;
    },
  };
}
