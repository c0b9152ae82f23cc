import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import { LedgerError } from '@rework-ledger/domain';
import { comparePositions, type Position, type StoredEvent, type SubscribeOptions, type Subscription } from '@rework-ledger/event-store';
import type { ReadableOptions } from 'node:stream';
import { toPortPosition, toStoredEvent } from './eventstoredb-events';

export type EventStoreDbSubscriptionSettings = Readonly<{
  /** Opens a catch-up subscription to $all (filtered on the server) after a position. */
  open: (after: Position, readableOptions: ReadableOptions) => AllStreamSubscription;
  /** The position of the newest event the subscription would deliver. */
  headPosition: () => Promise<Position>;
  retryBackoff: Readonly<{ initialMs: number; maxMs: number }>;
}>;

export const DEFAULT_SUBSCRIPTION_BATCH_SIZE = 500;

type Waiter = { target: Position; resolve: () => void; reject: (error: unknown) => void };

const stoppedError = (message: string) => new LedgerError('EVENT_STORE.SUBSCRIPTION_STOPPED', message);

/**
 * A catch-up subscription to $all that hands the handler batches of what the server has sent so far. Events wait in the
 * stream's buffer (its back-pressure reaches the server) while a batch is handled; a failing handler gets the same
 * batch again after a backoff; a dropped subscription is opened again after the last event handled.
 */
export function startEventStoreDbSubscription(settings: EventStoreDbSubscriptionSettings, options: SubscribeOptions): Subscription {
  const batchSize = options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new LedgerError('EVENT_STORE.INVALID_SUBSCRIPTION', 'batchSize must be a positive integer', 'batchSize');

  /** The last event handled: where a new subscription starts, and what caughtUp() compares with. */
  let position: Position = options.after;
  /** The last event read, handled or not (events outside the ledger's scheme are skipped). */
  let scanned: Position = options.after;
  /** Everything up to here has been handled: what caughtUp() compares with. */
  let settled: Position = options.after;
  let stopped = false;
  let interrupt: (() => void) | undefined;
  const waiters: Waiter[] = [];

  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // A failing error callback must not stop the subscription.
    }
  };
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopped) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      interrupt = done;
    });
  const backoff = (failures: number): number => Math.min(settings.retryBackoff.maxMs, settings.retryBackoff.initialMs * 2 ** Math.min(failures, 30));

  const settleWaiters = (): void => {
    if (comparePositions(scanned, settled) > 0) settled = scanned;
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (comparePositions(settled, waiters[i].target) >= 0) waiters.splice(i, 1)[0].resolve();
    }
  };

  /** Hands the batch to the handler until it succeeds; false if stopped first. */
  const deliver = async (events: readonly StoredEvent[]): Promise<boolean> => {
    for (let failures = 0; !stopped; failures++) {
      try {
        await options.handler(events, events[events.length - 1].position);
        return true;
      } catch (error) {
        report(error);
        await pause(backoff(failures));
      }
    }
    return false;
  };

  /** Reads and delivers until stopped; throws when the subscription fails or ends. */
  const pump = async (subscription: AllStreamSubscription): Promise<void> => {
    let failure: unknown;
    let ended = false;
    const wake = (): void => interrupt?.();
    subscription.on('error', (error: Error) => {
      failure = error;
      wake();
    });
    subscription.on('end', () => {
      ended = true;
      wake();
    });
    subscription.on('close', () => {
      ended = true;
      wake();
    });
    while (!stopped) {
      const batch: StoredEvent[] = [];
      while (batch.length < batchSize) {
        const resolved = subscription.read() as AllStreamResolvedEvent | null;
        if (resolved === null) break;
        const recordedPosition = resolved.event?.position;
        if (!recordedPosition) continue;
        const at = toPortPosition(recordedPosition);
        if (comparePositions(at, scanned) <= 0) continue; // at or before where this subscription started
        scanned = at;
        const event = toStoredEvent(resolved);
        if (event) batch.push(event);
      }
      if (batch.length > 0) {
        if (!(await deliver(batch))) return;
        position = batch[batch.length - 1].position;
        settleWaiters();
        continue;
      }
      settleWaiters();
      if (failure !== undefined) throw failure;
      if (ended) throw new LedgerError('EVENT_STORE.SUBSCRIPTION_DROPPED', 'the EventStoreDB subscription ended', undefined, true);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          subscription.off('readable', done);
          interrupt = undefined;
          resolve();
        };
        subscription.once('readable', done);
        interrupt = done;
      });
    }
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!stopped) {
      let subscription: AllStreamSubscription | undefined;
      try {
        scanned = position;
        subscription = settings.open(position, { highWaterMark: batchSize });
        await pump(subscription);
      } catch (error) {
        if (stopped) break;
        report(error);
        await pause(backoff(failures++));
      } finally {
        await subscription?.unsubscribe().catch(() => undefined);
      }
    }
  };

  const finished = run()
    .catch(report)
    .then(() => {
      const error = stoppedError('the subscription stopped before it caught up');
      for (const waiter of waiters.splice(0)) waiter.reject(error);
    });

  return {
    async caughtUp(): Promise<void> {
      if (stopped) throw stoppedError('the subscription is stopped');
      const target = await settings.headPosition();
      if (stopped) throw stoppedError('the subscription stopped before it caught up');
      if (comparePositions(settled, target) >= 0) return;
      await new Promise<void>((resolve, reject) => waiters.push({ target, resolve, reject }));
    },
    async stop(): Promise<void> {
      stopped = true;
      interrupt?.();
      await finished;
    },
  };
}
