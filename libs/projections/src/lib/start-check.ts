import type { PoolClient } from 'pg';
import { createAppliedEventsTable } from './applied-events';
import { inTransaction } from './apply-batch';
import type { RecordedBuild } from './checkpoint-store';
import { createReadModelSchema, schemaExists } from './read-model-schema';
import type { RunnerContext } from './runner-context';

/**
 * Why an existing read model is rebuilt at start, if it is: a checkpoint is a position in one store's log (after a
 * switch of EVENT_STORE, rebuild from the new store), and a read model built by another version of the projection is
 * rebuilt beside it (it keeps answering until the swap). A checkpoint recorded before stores were (null) is this store's.
 */
export function rebuildNeededAtStart(
  recorded: RecordedBuild,
  current: Readonly<{ version: number; storeKind: string }>,
): 'another event store' | 'another version' | undefined {
  if ((recorded.eventStore ?? current.storeKind) !== current.storeKind) return 'another event store';
  if (recorded.projectionVersion !== current.version) return 'another version';
  return undefined;
}

/**
 * Before the live loop, on the locked connection: the checkpoint row exists; a read model without its schema (first
 * start) is built from zero; one built from another store or by another version gets a rebuild requested.
 */
export async function prepareReadModel(runner: RunnerContext, client: PoolClient): Promise<void> {
  const { projection, checkpoints, store } = runner;
  await checkpoints.ensureRow(client);
  if (!(await schemaExists(client, projection.schema))) {
    await createReadModelSchema(client, projection, projection.schema, runner.skipRepeats);
    runner.analyze.forget(projection.schema);
    // A projection with a set-based end of rebuild builds its first read model as a rebuild (the empty one answers
    // meanwhile): asked for in the same transaction, so that nobody sees the read model current before it is built.
    await inTransaction(client, async () => {
      await checkpoints.resetToStart(client, projection.version, store.kind);
      if (projection.completeRebuild !== undefined) await checkpoints.requestRebuild(client);
    });
    return;
  }
  if (runner.skipRepeats) await createAppliedEventsTable(client, projection.schema);
  const recorded = await checkpoints.recordedBuild(client, store.kind);
  if (rebuildNeededAtStart(recorded, { version: projection.version, storeKind: store.kind }) !== undefined) await checkpoints.requestRebuild(client);
}
