import { comparePositions, type Position, START, type StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';
import { analyzeSchemaBeside } from './analyze-policy';
import { classifyApplyFailure } from './apply-failure';
import { applyInTransaction, inTransaction } from './apply-batch';
import { checkBatch } from './apply-or-park';
import { discardStagedParked, promoteStagedParked } from './parked-events';
import { createReadModelSchema, rebuildSchemaOf, swapInRebuilt } from './read-model-schema';
import { handledBy, type RunnerContext, typesOf } from './runner-context';

export type ShadowProgress = Readonly<{ restart: () => Promise<unknown>; record: (last: Position, count: number) => Promise<unknown> }>;

/**
 * Fills `shadow` from zero with the events `read` returns, batch after batch, through the same path as live (the
 * same checks, the same parking, staged until the swap), then completes it. A projection with a set-based end of
 * rebuild stages its facts and derives the rest at the end; if that end fails on a data fault, which no single event
 * can be blamed for there, the shadow is filled again batch by batch as live applies them, so that a rebuild parks
 * exactly the events live parks. Returns where it got, or undefined when the runner is stopping.
 */
export async function fillShadow(
  runner: RunnerContext,
  client: PoolClient,
  shadow: string,
  read: (after: Position) => Promise<readonly StoredEvent[]>,
  progress: ShadowProgress,
  tenant?: string,
): Promise<{ position: Position; applied: number } | undefined> {
  const { projection } = runner;
  const handled = handledBy(projection);
  let bulk = projection.completeRebuild !== undefined;
  for (;;) {
    await progress.restart();
    await createReadModelSchema(client, projection, shadow, runner.skipRepeats);
    runner.analyze.forget(shadow);
    await discardStagedParked(client, projection.name, tenant);
    let position: Position = START;
    let applied = 0;
    // The next batch is read and checked against the contract while this one is applied (CPU beside the database).
    const readChecked = (after: Position) => read(after).then((events) => ({ events, violations: checkBatch(events, handled) }));
    let next = readChecked(position);
    for (;;) {
      const { events, violations } = await next;
      if (runner.stopping()) return undefined;
      if (events.length === 0) break;
      next = readChecked(events[events.length - 1].position);
      // Settled here if the batch fails first, so that its failure is not also an unhandled rejection.
      next.catch(() => undefined);
      // Counted as live counts: the events applied for the first time, not those parked (nor repeats).
      let counted = 0;
      const record = (last: Position, count: number) => {
        counted = count;
        return progress.record(last, count);
      };
      await applyInTransaction(runner, client, shadow, events, record, { context: { rebuilding: bulk }, staged: true, violations });
      position = events[events.length - 1].position;
      applied += counted;
    }
    const complete = projection.completeRebuild;
    if (!bulk || !complete) return { position, applied };
    try {
      // Not analyzed first: its set-based passes read whole tables, which statistics would not change.
      await inTransaction(client, () => complete(client, shadow));
      return { position, applied };
    } catch (error) {
      const failure = classifyApplyFailure(error);
      if (failure.action === 'retry') throw error;
      runner.reportError(
        new Error(`rebuild of ${projection.name}: its set-based end failed on a data fault (${failure.code}); filling it again batch by batch, as live`),
      );
      bulk = false;
    }
  }
}

/**
 * A full rebuild: every event fills the shadow schema beside the live one, which keeps answering; the shadow is
 * analyzed, then swapped in with the checkpoint it reached and what it parked, in one transaction.
 */
export async function rebuild(runner: RunnerContext, client: PoolClient): Promise<void> {
  const { projection, checkpoints, store, batchSize } = runner;
  const shadow = rebuildSchemaOf(projection);
  await checkpoints.startRebuild(client);
  // Reading only its types, the rebuild's last event of them may lie far before the end of the log. The last event
  // readers could see just before a read that found none of its types is where it ends instead: every event of its
  // types up to there was visible to that read (visibility only grows), so its checkpoint does not go back.
  let endOfLog: Position = START;
  const read = async (after: Position) => {
    const head = projection.handles ? await store.headPosition() : START;
    const events = await store.readAll({ after, limit: batchSize, ...typesOf(projection) });
    if (events.length === 0 && comparePositions(head, endOfLog) > 0) endOfLog = head;
    return events;
  };
  const filled = await fillShadow(runner, client, shadow, read, {
    restart: () => checkpoints.restartRebuildCount(client),
    record: (_last, count) => checkpoints.countRebuildProgress(client, count),
  });
  if (!filled) return;
  const { applied } = filled;
  const position = comparePositions(endOfLog, filled.position) > 0 ? endOfLog : filled.position;
  await analyzeSchemaBeside(runner.pool, client, shadow);
  runner.analyze.rebuilt(projection.schema, applied);
  await inTransaction(client, async () => {
    await swapInRebuilt(client, projection);
    await promoteStagedParked(client, projection.name);
    await checkpoints.completeRebuild(client, { position, applied, version: projection.version, storeKind: store.kind });
  });
}
