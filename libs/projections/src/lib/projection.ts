import type { EventBody, StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';

/**
 * A read model kept up to date from the event store. Its tables live in their own PostgreSQL schema, so that a
 * rebuild can fill a second schema beside the live one and swap the two in one transaction.
 *
 * `E` is the events it handles: typed events of the domain (`TrainingCompleted | …`), which the
 * runner hands it decoded (see `checkContract`), with `handles` naming their types. By default, every event as stored.
 */
export interface Projection<E extends EventBody = EventBody> {
  /** Stable name: the key of its checkpoint and of its runner lock. */
  readonly name: string;
  /** The schema the live read model is queried in. */
  readonly schema: string;
  /**
   * Version of the read model's tables and rules. When it changes, the runner rebuilds the read model from the
   * event store (beside the live one, then swapped): a change of definition is a new version, re-projected.
   */
  readonly version: number;
  /**
   * The event types `apply` reads. The runner hands it only these, and checks only these against the contract: an
   * event a read model ignores is never parked under it. Without it, every event.
   */
  readonly handles?: readonly E['type'][];
  /** Creates the read model's tables in `schema` (which exists and is empty). */
  createTables(client: PoolClient, schema: string): Promise<void>;
  /**
   * Applies a batch of events, in store order, inside the transaction that also moves the checkpoint. While a rebuild
   * fills a schema (`context.rebuilding`), a projection with `completeRebuild` may leave out what that derives.
   */
  apply(client: PoolClient, schema: string, events: readonly StoredEvent<E>[], context?: ApplyContext): Promise<void>;
  /**
   * Optional: run once when a rebuild has applied every event, before the swap (in one transaction): derives in
   * set-based passes what `apply` keeps up event by event the rest of the time (rollups, say).
   */
  completeRebuild?(client: PoolClient, schema: string): Promise<void>;
}

export type ApplyContext = Readonly<{ rebuilding: boolean }>;
