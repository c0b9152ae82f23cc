import { LedgerError } from '@rework-ledger/domain';

/**
 * A position in the global order of the store. Events are read in (transactionId, globalPosition) order and only
 * up to the oldest transaction still in flight, so a reader never skips an event whose transaction commits late.
 */
export type Position = Readonly<{ transactionId: bigint; globalPosition: bigint }>;

/** Before the first event. */
export const START: Position = Object.freeze({ transactionId: 0n, globalPosition: 0n });

/** An event to append: a CloudEvent's identity and payload. `(tenant, source, id)` identifies it. */
export type NewEvent = Readonly<{
  id: string;
  source: string;
  type: string;
  time: Date;
  subject?: string;
  data: Readonly<Record<string, unknown>>;
}>;

/** Expected version of a stream: any state, no stream yet, an existing stream, or exactly this version. */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type StreamAppend = Readonly<{ streamId: string; expectedVersion: ExpectedVersion; events: readonly NewEvent[] }>;

/** The type and data of an event. As stored: any type, untyped data; decoded, the domain's `LedgerEvent`. */
export type EventBody = Readonly<{ type: string; data: Readonly<Record<string, unknown>> }>;

/**
 * An event as the store holds it. `E` types its `type` and `data`: by default as stored (untyped); a union of typed
 * events (`StoredEvent<LedgerEvent>`, once the contract has decoded it) gives a union a `switch (event.type)` narrows.
 */
export type StoredEvent<E extends EventBody = EventBody> = E extends EventBody
  ? Readonly<{
      tenant: string;
      streamId: string;
      /** 1-based position of the event in its stream. */
      streamVersion: bigint;
      position: Position;
      id: string;
      source: string;
      type: E['type'];
      time: Date;
      subject?: string;
      data: E['data'];
      recordedAt: Date;
    }>
  : never;

export type AppendResult = Readonly<{
  /** Events newly stored, in the order given. */
  stored: readonly StoredEvent[];
  /** Events whose (tenant, source, id) was already stored: acknowledged, not stored again. */
  duplicates: readonly Readonly<{ source: string; id: string }>[];
}>;

/**
 * `after` is exclusive (default {@link START}); `limit` defaults to 1000; without `tenant`, every tenant's events; with
 * `types`, only events of those types (a store may return others too: a reader that needs only them filters as well).
 */
export type ReadAllOptions = Readonly<{ after?: Position; limit?: number; tenant?: string; types?: readonly string[] }>;

/**
 * Receives batches in global order; a rejection makes the subscription offer the same batch again after a backoff.
 * `readTo` is how far the subscription has read (the last event of the batch, or past it: events of other types it
 * skipped); a subscription to some `types` may call it with no events, only to say it moved past others.
 */
export type SubscriptionHandler = (events: readonly StoredEvent[], readTo: Position) => Promise<void>;

export type SubscribeOptions = Readonly<{
  /** Deliver events after this position (exclusive). */
  after: Position;
  /** Most events per handler call (default 500). */
  batchSize?: number;
  /** Only this tenant's events. */
  tenant?: string;
  /**
   * Only events of these types (every type when absent). A store may deliver others too (the reader filters as well);
   * the PostgreSQL store reads only these, and tells the handler how far it read past the rest.
   */
  types?: readonly string[];
  handler: SubscriptionHandler;
  /** Told of every failed handler call or read; the subscription itself keeps retrying. */
  onError?: (error: unknown) => void;
}>;

export interface Subscription {
  /**
   * Resolves once the subscription has delivered everything readers could see when it was called; rejects if the
   * subscription stops first.
   */
  caughtUp(): Promise<void>;
  /** Lets a running handler call finish, then stops and releases the subscription's connection. */
  stop(): Promise<void>;
}

/** The append-only event store (PostgreSQL by default). */
export interface EventStore {
  /**
   * The kind of log its positions belong to ('postgres', 'eventstoredb'): a checkpoint taken in one kind of store
   * means nothing in another, so a consumer that finds its checkpoint was taken elsewhere starts again from zero.
   */
  readonly kind: string;
  /**
   * True when an event's (tenant, source, id) is stored at most once, whatever the timing of retries (PostgreSQL's
   * unique key). False when a late retry can store it again (EventStoreDB remembers recent event ids only): consumers
   * that must count each event once then skip keys they have already applied.
   */
  readonly deduplicatesOnAppend: boolean;
  /**
   * Appends to several streams in one transaction: all or nothing. Duplicates (same tenant, source and id, also twice
   * in one call) are reported, not stored, also when a concurrent retry stores them first. A wrong expected version
   * throws {@link WrongExpectedVersionError}; an append whose events are all duplicates already happened, so its
   * expected version is not checked again (a retry succeeds). Stream versions are 1-based and gapless.
   */
  append(tenant: string, appends: readonly StreamAppend[]): Promise<AppendResult>;
  /** The events of one stream of a tenant, oldest first, from `fromVersion` (inclusive, default 1). */
  readStream(tenant: string, streamId: string, options?: { fromVersion?: bigint; limit?: number }): Promise<StoredEvent[]>;
  /** Events in global order after a position (all tenants unless one is named), never past an in-flight transaction. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** The position of the last event a reader can see now. */
  headPosition(): Promise<Position>;
  /**
   * The position of the newest committed event, even if an older transaction still in flight keeps readers from
   * reaching it yet. A reader has seen everything committed before a moment once it reaches this position.
   */
  lastCommittedPosition(): Promise<Position>;
  /** How far a reader at `after` is behind: events it can read now, and when the oldest of them was recorded. */
  lagAfter(after: Position): Promise<{ events: number; oldestRecordedAt?: Date }>;
  /** Catch up from a position, then follow new events live (LISTEN/NOTIFY with a polling fallback). */
  subscribe(options: SubscribeOptions): Subscription;
  /** Stops the store's subscriptions; connections it was given stay open for their owner. */
  close(): Promise<void>;
}

/** An append whose expected version does not match the stream. Not retriable as is: re-read and decide again. */
export class WrongExpectedVersionError extends LedgerError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: bigint | undefined,
  ) {
    super('STREAM.WRONG_EXPECTED_VERSION', `stream ${streamId}: expected version ${String(expected)}, actual ${actual === undefined ? 'no stream' : String(actual)}`);
  }
}

/** Compares two positions in the store's global order. */
export function comparePositions(a: Position, b: Position): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}
