import { LedgerError } from '@rework-ledger/domain';
import { type ExpectedVersion, type NewEvent, type StreamAppend, WrongExpectedVersionError } from '../event-store.port';

/** The key of an event's identity within a tenant. PostgreSQL text cannot hold NUL, so it cannot be ambiguous. */
export function eventKey(source: string, id: string): string {
  return `${source}\u0000${id}`;
}

/** One stream the append must lock, with how many new events it receives. */
export type StreamLock = Readonly<{ streamId: string; added: number }>;

type PlannedAppend = Readonly<{
  streamId: string;
  expectedVersion: ExpectedVersion;
  newEvents: readonly NewEvent[];
  /** Every event was stored before: the append already happened, so its expected version is not checked again. */
  alreadyApplied: boolean;
}>;

/** What an append call will do once the stored identities are known: pure, so it can be tested without a database. */
export type AppendPlan = Readonly<{
  appends: readonly PlannedAppend[];
  /** Streams to lock, sorted by id so that concurrent appends lock in the same order and cannot deadlock. */
  locks: readonly StreamLock[];
  duplicates: readonly Readonly<{ source: string; id: string }>[];
}>;

/** An event with its place in its stream, ready to insert. */
export type PlacedEvent = Readonly<{ streamId: string; streamVersion: bigint; event: NewEvent }>;

/** Rejects input PostgreSQL would reject less clearly (or accept wrongly). */
export function validateAppend(tenant: string, appends: readonly StreamAppend[]): void {
  if (typeof tenant !== 'string' || tenant.length === 0) throw new LedgerError('EVENT_STORE.INVALID_APPEND', 'tenant must be a non-empty string', 'tenant');
  for (const append of appends) {
    if (typeof append.streamId !== 'string' || append.streamId.length === 0) {
      throw new LedgerError('EVENT_STORE.INVALID_APPEND', 'streamId must be a non-empty string', 'streamId');
    }
    const expected = append.expectedVersion;
    if (typeof expected === 'bigint' ? expected < 0n : !['any', 'no_stream', 'stream_exists'].includes(expected)) {
      throw new LedgerError('EVENT_STORE.INVALID_APPEND', `stream ${append.streamId}: invalid expected version ${String(expected)}`, 'expectedVersion');
    }
    for (const event of append.events) {
      if (!event.id || !event.source || !event.type) {
        throw new LedgerError('EVENT_STORE.INVALID_APPEND', `stream ${append.streamId}: an event needs an id, a source and a type`, 'events');
      }
      if (!(event.time instanceof Date) || Number.isNaN(event.time.getTime())) {
        throw new LedgerError('EVENT_STORE.INVALID_APPEND', `event ${event.id}: time must be a valid Date`, 'time');
      }
    }
  }
}

/**
 * Splits the events of a call into new ones and duplicates: already stored (`storedKeys`) or repeated earlier in the
 * same call (the first occurrence wins).
 */
export function planAppend(appends: readonly StreamAppend[], storedKeys: ReadonlySet<string>): AppendPlan {
  const seen = new Set<string>();
  const duplicates: { source: string; id: string }[] = [];
  const added = new Map<string, number>();
  const planned = appends.map((append): PlannedAppend => {
    const newEvents: NewEvent[] = [];
    for (const event of append.events) {
      const key = eventKey(event.source, event.id);
      if (storedKeys.has(key) || seen.has(key)) {
        duplicates.push({ source: event.source, id: event.id });
      } else {
        seen.add(key);
        newEvents.push(event);
      }
    }
    const alreadyApplied = append.events.length > 0 && newEvents.length === 0;
    // A stream needs its row locked when it grows or when its version must be checked.
    if (newEvents.length > 0 || (!alreadyApplied && append.expectedVersion !== 'any')) {
      added.set(append.streamId, (added.get(append.streamId) ?? 0) + newEvents.length);
    }
    return { streamId: append.streamId, expectedVersion: append.expectedVersion, newEvents, alreadyApplied };
  });
  const locks = [...added.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([streamId, count]) => ({ streamId, added: count }));
  return { appends: planned, locks, duplicates };
}

/** Whether a stream at `actual` (0 = no stream) satisfies an expected version. */
export function satisfiesExpectedVersion(expected: ExpectedVersion, actual: bigint): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 0n;
    case 'stream_exists':
      return actual > 0n;
    default:
      return actual === expected;
  }
}

/**
 * Checks every expected version against the locked streams' current versions (0 = no stream) and numbers the new
 * events gaplessly from there. Appends to the same stream within one call apply in order.
 * @throws WrongExpectedVersionError on the first mismatch.
 */
export function placeEvents(plan: AppendPlan, currentVersions: ReadonlyMap<string, bigint>): PlacedEvent[] {
  const versions = new Map(currentVersions);
  const placed: PlacedEvent[] = [];
  for (const append of plan.appends) {
    if (append.alreadyApplied) continue;
    let version = versions.get(append.streamId) ?? 0n;
    if (!satisfiesExpectedVersion(append.expectedVersion, version)) {
      throw new WrongExpectedVersionError(append.streamId, append.expectedVersion, version === 0n ? undefined : version);
    }
    for (const event of append.newEvents) {
      version += 1n;
      placed.push({ streamId: append.streamId, streamVersion: version, event });
    }
    versions.set(append.streamId, version);
  }
  return placed;
}
