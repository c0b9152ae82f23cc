import type { AllStreamResolvedEvent, JSONEventData, ReadPosition, ResolvedEvent } from '@eventstore/db-client';
import { LedgerError } from '@rework-ledger/domain';
import { comparePositions, type NewEvent, type Position, START, type StoredEvent } from '@rework-ledger/event-store';
import { START as ESDB_START } from '@eventstore/db-client';
import { eventStoreDbEventId, parseEventStoreDbStreamName } from './eventstoredb-names';

/** What the adapter writes in each event's metadata: the CloudEvent identity and attributes the data does not hold. */
type LedgerMetadata = { tenant: string; source: string; id: string; time: string; subject?: string };

function isLedgerMetadata(value: unknown): value is LedgerMetadata {
  const m = value as Partial<LedgerMetadata> | undefined;
  return typeof m === 'object' && m !== null && typeof m.source === 'string' && typeof m.id === 'string' && typeof m.time === 'string';
}

/** EventStoreDB's $all position (commit, prepare) as the port's position: commit → transactionId, prepare → globalPosition. */
export function toPortPosition(position: { commit: bigint; prepare: bigint }): Position {
  return { transactionId: position.commit, globalPosition: position.prepare };
}

/** The port's position as a place to read $all from. */
export function toReadPosition(position: Position): ReadPosition {
  return comparePositions(position, START) === 0 ? ESDB_START : { commit: position.transactionId, prepare: position.globalPosition };
}

/** Maps a recorded event of the ledger's streams to the port's event; undefined for anything else. */
export function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | undefined {
  const recorded = resolved.event;
  if (!recorded || !recorded.isJson) return undefined;
  const stream = parseEventStoreDbStreamName(recorded.streamId);
  if (!stream || !isLedgerMetadata(recorded.metadata)) return undefined;
  if (!recorded.position) {
    throw new LedgerError('EVENT_STORE.UNSUPPORTED_SERVER', 'EventStoreDB returned an event without its $all position: use EventStoreDB ≥ 22.10 or KurrentDB');
  }
  const metadata = recorded.metadata;
  return {
    tenant: stream.tenant,
    streamId: stream.streamId,
    streamVersion: recorded.revision + 1n,
    position: toPortPosition(recorded.position),
    id: metadata.id,
    source: metadata.source,
    type: recorded.type,
    time: new Date(metadata.time),
    ...(metadata.subject === undefined ? {} : { subject: metadata.subject }),
    data: recorded.data as Readonly<Record<string, unknown>>,
    recordedAt: recorded.created,
  };
}

export function toEventData(tenant: string, event: NewEvent): JSONEventData {
  const metadata: LedgerMetadata = {
    tenant,
    source: event.source,
    id: event.id,
    time: event.time.toISOString(),
    ...(event.subject === undefined ? {} : { subject: event.subject }),
  };
  return {
    id: eventStoreDbEventId(tenant, event.source, event.id),
    contentType: 'application/json',
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata,
  };
}
