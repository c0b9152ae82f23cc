import { comparePositions, type Position, type StoredEvent, type Subscription } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';
import { applyInTransaction } from './apply-batch';
import { rebuild } from './rebuild';
import { type RunnerContext, typesOf } from './runner-context';
import { prepareReadModel } from './start-check';
import { fillTenantShadow, swapTenant, type TenantShadow } from './tenant-reprojection';

/** The runner's waiting: an interruptible sleep, and the end of the locked connection if the server ended it. */
export type LoopSignals = Readonly<{
  sleep: (ms: number) => Promise<void>;
  wake: () => void;
  idlePollMs: number;
  /** Set when the server ends the locked connection (a restart) while the runner waits: the lock went with it. */
  connectionLost: () => Error | undefined;
}>;

/**
 * What the runner does while it holds the lock, until it stops: new events come from the store's subscription
 * (LISTEN/NOTIFY for PostgreSQL, a catch-up subscription to $all for EventStoreDB), whose handler applies each batch
 * on this locked connection with the checkpoint; a requested rebuild pauses it, as does the swap of a tenant's
 * re-projection (filled beside it). A failure stops the subscription, and a new one starts from the checkpoint after a
 * backoff.
 */
export async function runWhileLocked(runner: RunnerContext, client: PoolClient, signals: LoopSignals): Promise<void> {
  const { pool, store, checkpoints, batchSize } = runner;
  const { sleep, wake, idlePollMs } = signals;
  await prepareReadModel(runner, client);
  let position = await checkpoints.position(client);
  let backoffMs = idlePollMs;
  let live: Subscription | undefined;
  let failure: unknown;
  /** A tenant's re-projection filling its shadow beside live (phase one), and how it ended. */
  let tenantJob: { done: Promise<void>; outcome?: { filled?: TenantShadow; error?: unknown } } | undefined;
  const startTenantJob = (tenant: string) => {
    const job: NonNullable<typeof tenantJob> = { done: Promise.resolve() };
    job.done = fillTenantShadow(runner, tenant)
      .then(
        (filled) => {
          job.outcome = { filled };
        },
        (error: unknown) => {
          job.outcome = { error };
        },
      )
      .finally(wake);
    tenantJob = job;
  };
  const stopLive = async (): Promise<void> => {
    const subscription = live;
    live = undefined;
    await subscription?.stop();
  };
  const applyLive = async (events: readonly StoredEvent[], readTo: Position): Promise<void> => {
    if (failure !== undefined) throw failure;
    if (comparePositions(readTo, position) <= 0) return;
    const fresh = events.filter((event) => comparePositions(event.position, position) > 0);
    try {
      // The checkpoint goes as far as the subscription read: past the events of types this read model does not read
      // too, which it was never sent (and with no batch to apply, by that alone).
      if (fresh.length === 0) await checkpoints.advance(client, readTo, 0);
      else await applyInTransaction(runner, client, runner.projection.schema, fresh, (_, count) => checkpoints.advance(client, readTo, count));
      position = readTo;
      backoffMs = idlePollMs;
    } catch (error) {
      failure = error;
      wake();
      throw error;
    }
  };
  const startLive = () => {
    const subscription = store.subscribe({
      after: position,
      batchSize,
      ...typesOf(runner.projection),
      handler: applyLive,
      onError: (error) => {
        if (error !== failure) runner.reportError(error);
      },
    });
    live = subscription;
    // Caught up again after a failure: no longer stalled, even if no new event comes to clear the error.
    subscription
      .caughtUp()
      .then(async () => {
        if (live === subscription && failure === undefined) await checkpoints.clearError(pool);
      })
      .catch(() => undefined);
  };
  try {
    while (!runner.stopping()) {
      // Out of this loop: the runner gives the connection back as broken and takes the lock again on a new one.
      const lost = signals.connectionLost();
      if (lost !== undefined) throw lost;
      try {
        if (failure !== undefined) throw failure;
        // Asked through the pool: the locked connection may be inside a transaction of the live subscription's handler.
        if (await checkpoints.rebuildRequested(pool)) {
          await stopLive();
          // A full rebuild does every tenant: a re-projection under way is let finish its phase and dropped.
          await tenantJob?.done;
          tenantJob = undefined;
          await rebuild(runner, client);
          position = await checkpoints.position(client);
          continue;
        }
        if (tenantJob?.outcome) {
          const { filled, error } = tenantJob.outcome;
          tenantJob = undefined;
          if (error !== undefined) throw error;
          if (filled) {
            // Live pauses (its read model still answers) for the tenant's last events and the swap of its rows.
            await stopLive();
            await swapTenant(runner, client, filled);
            position = await checkpoints.position(client);
            continue;
          }
        }
        if (!tenantJob) {
          const tenant = await checkpoints.nextTenantToRebuild(pool);
          if (tenant !== undefined) startTenantJob(tenant);
        }
        if (!live) startLive();
        await sleep(idlePollMs);
      } catch (error) {
        runner.reportError(error);
        await stopLive();
        failure = undefined;
        await checkpoints.recordError(client, String((error as Error).message ?? error)).catch(() => undefined);
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
        position = await checkpoints.position(client);
      }
    }
  } finally {
    await stopLive();
    await tenantJob?.done;
  }
}
