import { LedgerError } from '@rework-ledger/domain';
import type { Subscription } from './event-store.port';

/**
 * The subscriptions an event store has handed out, so that `close()` stops them all and refuses new ones. Shared
 * by every adapter.
 */
export function createSubscriptionRegistry() {
  const live = new Set<Subscription>();
  let closed = false;
  return {
    /** Tracks a new subscription (started by `start`) until it is stopped; refused once the store is closed. */
    track(start: () => Subscription): Subscription {
      if (closed) throw new LedgerError('EVENT_STORE.CLOSED', 'the event store is closed');
      const subscription = start();
      const tracked: Subscription = {
        caughtUp: () => subscription.caughtUp(),
        stop: async () => {
          live.delete(tracked);
          await subscription.stop();
        },
      };
      live.add(tracked);
      return tracked;
    },
    /** Stops every subscription and refuses new ones. */
    async closeAll(): Promise<void> {
      closed = true;
      await Promise.all([...live].map((subscription) => subscription.stop()));
    },
  };
}
