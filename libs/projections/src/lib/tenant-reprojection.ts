import { comparePositions, type Position, type StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';
import { applyInTransaction, inTransaction } from './apply-batch';
import { promoteStagedParked } from './parked-events';
import { dropSchema, replaceTenantRows, tenantRebuildSchemaOf } from './read-model-schema';
import { fillShadow, type ShadowProgress } from './rebuild';
import { type RunnerContext, typesOf } from './runner-context';
import { advisoryLock } from './runner-lock';

/**
 * Re-projects one tenant, in two phases, so that live goes on for every tenant meanwhile. First
 * ({@link fillTenantShadow}, on a connection of its own, beside live): the tenant's events up to the live checkpoint
 * of that moment fill a shadow schema, which is completed. Then ({@link swapTenant}, on the runner's connection, live
 * paused): the tenant's events live applied since are applied to the shadow as live applies them, and one transaction
 * replaces the tenant's rows of every table of the live schema by the shadow's, and the tenant's parked events by what
 * the re-projection parked. Other tenants' rows are not touched.
 */
export type TenantShadow = Readonly<{ tenant: string; reached: Position }>;

/** Reads one tenant's events after a position, up to `upTo` (inclusive), a batch at a time. */
export function tenantEventsUpTo(runner: RunnerContext, tenant: string, upTo: Position): (after: Position) => Promise<readonly StoredEvent[]> {
  let reachedEnd = false;
  let from: Position | undefined;
  return async (after) => {
    if (from === undefined || comparePositions(after, from) < 0) reachedEnd = false; // a new pass
    from = after;
    if (reachedEnd) return [];
    const events = await runner.store.readAll({ after, limit: runner.batchSize, tenant, ...typesOf(runner.projection) });
    const upToIt = events.filter((event) => comparePositions(event.position, upTo) <= 0);
    if (upToIt.length < events.length || events.length < runner.batchSize) reachedEnd = true;
    return upToIt;
  };
}

const tenantProgress = (runner: RunnerContext, client: PoolClient, tenant: string): ShadowProgress => ({
  restart: () => runner.checkpoints.restartTenantCount(client, tenant),
  record: (_last, count) => runner.checkpoints.countTenantProgress(client, tenant, count),
});

/**
 * Phase one, beside live. Under a lock of its own (a process whose runner lock went with its connection may still be
 * finishing this phase: a second one must not fill the same shadow). Undefined when the runner stops first.
 */
export async function fillTenantShadow(runner: RunnerContext, tenant: string): Promise<TenantShadow | undefined> {
  const lock = advisoryLock(`${runner.projection.name}:tenant-rebuild`);
  const other = await runner.pool.connect();
  let broken: Error | undefined;
  try {
    if (!(await lock.tryTake(other))) return undefined; // the other process's phase is still running: asked again later
    try {
      await runner.checkpoints.startTenantRebuild(other, tenant);
      const reached = await runner.checkpoints.position(other);
      const shadow = tenantRebuildSchemaOf(runner.projection);
      const filled = await fillShadow(runner, other, shadow, tenantEventsUpTo(runner, tenant, reached), tenantProgress(runner, other, tenant), tenant);
      return filled ? { tenant, reached } : undefined;
    } finally {
      await lock.release(other);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    other.release(broken);
  }
}

/** Phase two, live paused: the tenant's events since phase one, then the swap of its rows. */
export async function swapTenant(runner: RunnerContext, client: PoolClient, filled: TenantShadow): Promise<void> {
  const { projection, checkpoints } = runner;
  const { tenant } = filled;
  const shadow = tenantRebuildSchemaOf(projection);
  const read = tenantEventsUpTo(runner, tenant, await checkpoints.position(client));
  const progress = tenantProgress(runner, client, tenant);
  for (let after = filled.reached; ; ) {
    if (runner.stopping()) return;
    const events = await read(after);
    if (events.length === 0) break;
    // Applied as live applies them: the shadow is complete, as a rebuilt schema is when it goes live.
    await applyInTransaction(runner, client, shadow, events, progress.record, { context: { rebuilding: false }, staged: true });
    after = events[events.length - 1].position;
  }
  await inTransaction(client, async () => {
    await replaceTenantRows(client, projection, tenant);
    await promoteStagedParked(client, projection.name, tenant);
    await checkpoints.completeTenantRebuild(client, tenant);
  });
  await dropSchema(client, shadow);
  runner.analyze.forget(shadow);
}
