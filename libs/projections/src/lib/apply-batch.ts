import type { Position, StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';
import { analyzeSchema } from './analyze-policy';
import { firstTimeOnly } from './applied-events';
import { applyOrSetAside, type CheckedBatch } from './apply-or-park';
import { type ParkedEvent, parkedEventOf, recordParked } from './parked-events';
import type { ApplyContext, Projection } from './projection';
import { handledBy, type RunnerContext } from './runner-context';

export type BatchOptions = Readonly<{
  context?: ApplyContext;
  /** What is parked is staged until a rebuild's swap. */
  staged?: boolean;
  /** The batch's contract check, if done ahead. */
  violations?: CheckedBatch;
  /** Skip (and record) the keys the read model has applied already. */
  skipRepeats?: boolean;
}>;

/**
 * Applies a batch to `schema` in the caller's transaction, the one path every event takes (live, a rebuild, a
 * tenant's re-projection, the projection spec harness): its repeats skipped if asked, the events the projection
 * handles checked against the contract and applied, and what it cannot apply parked (see `applyOrSetAside`).
 * Returns how many events of the types it reads were applied for the first time (parked ones included) and what was
 * parked: a read model counts the events it applied, not those it passed over.
 */
export async function applyAndPark(
  client: PoolClient,
  projection: Projection,
  schema: string,
  events: readonly StoredEvent[],
  options: BatchOptions = {},
): Promise<{ firstTime: number; parked: ParkedEvent[] }> {
  const context = options.context ?? { rebuilding: false };
  const handled = events.filter(handledBy(projection));
  const firstTime = options.skipRepeats ? await firstTimeOnly(client, schema, handled) : handled;
  const setAside = await applyOrSetAside(client, firstTime, (part) => projection.apply(client, schema, part, context), options.violations);
  const parked = setAside.map(({ event, reason }) => parkedEventOf(projection.name, event, reason));
  await recordParked(client, parked, options.staged ?? false);
  return { firstTime: firstTime.length, parked };
}

/** Runs `work` in one transaction on `client`. */
export async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Applies a batch and records how far it got, atomically (the checkpoint, or a rebuild's count); analyzes the
 * schema as it grows. Parked events are told to the listeners once committed.
 */
export async function applyInTransaction(
  runner: RunnerContext,
  client: PoolClient,
  schema: string,
  events: readonly StoredEvent[],
  recordProgress: (last: Position, count: number) => Promise<unknown>,
  options: Omit<BatchOptions, 'skipRepeats'> = {},
): Promise<void> {
  const parked = await inTransaction(client, async () => {
    const batch = await applyAndPark(client, runner.projection, schema, events, { ...options, skipRepeats: runner.skipRepeats });
    await recordProgress(events[events.length - 1].position, batch.firstTime - batch.parked.length);
    if (runner.analyze.applied(schema, batch.firstTime)) await analyzeSchema(client, schema);
    return batch.parked;
  });
  runner.notifyParked(parked, { rebuilding: options.staged ?? false });
}
