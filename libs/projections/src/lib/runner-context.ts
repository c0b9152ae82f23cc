import type { EventStore, StoredEvent } from '@rework-ledger/event-store';
import type { Pool } from 'pg';
import type { AnalyzePolicy } from './analyze-policy';
import type { CheckpointStore } from './checkpoint-store';
import type { ParkedEvent } from './parked-events';
import type { ApplyContext, Projection } from './projection';

/** What the runner's parts share: its projection, store and settings, and a few of its own hooks. */
export type RunnerContext = Readonly<{
  pool: Pool;
  store: EventStore;
  projection: Projection;
  batchSize: number;
  checkpoints: CheckpointStore;
  analyze: AnalyzePolicy;
  /** A store that may hold an event twice (EventStoreDB after a late retry): keys already applied are skipped. */
  skipRepeats: boolean;
  stopping: () => boolean;
  reportError: (error: unknown) => void;
  /** Tells the listeners of each parked event, once its transaction has committed. */
  notifyParked: (parked: readonly ParkedEvent[], context: ApplyContext) => void;
}>;

/** The events a projection reads (its `handles`; every event without it). */
export function handledBy(projection: Projection): (event: StoredEvent) => boolean {
  const types = projection.handles ? new Set(projection.handles) : undefined;
  return (event) => types === undefined || types.has(event.type);
}

/** The read option that asks the store for a projection's types only (none: every event). */
export function typesOf(projection: Projection): { types?: readonly string[] } {
  return projection.handles ? { types: projection.handles } : {};
}
