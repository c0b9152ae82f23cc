// Framework-free: the HTTP command, the Kafka ingestor and xAPI store their validated events through this.
import type { ValidEvent } from '@rework-ledger/contracts';
import { streamNameFor } from '@rework-ledger/domain';
import type { EventStore, NewEvent, StreamAppend } from '@rework-ledger/event-store';

/** Groups valid events of one tenant into one append per entity stream, with expected version "any". */
export function toStreamAppends(events: readonly ValidEvent[]): StreamAppend[] {
  const byStream = new Map<string, NewEvent[]>();
  for (const event of events) {
    const streamId = streamNameFor(event.type, event.data);
    const stream = byStream.get(streamId) ?? [];
    stream.push({ id: event.id, source: event.source, type: event.type, time: event.time, ...(event.subject ? { subject: event.subject } : {}), data: event.data });
    byStream.set(streamId, stream);
  }
  return [...byStream].map(([streamId, streamEvents]) => ({ streamId, expectedVersion: 'any' as const, events: streamEvents }));
}

/**
 * Stores already-validated events, possibly of several tenants (Kafka batches), one transaction per tenant.
 * Returns how many were newly stored and how many were duplicates.
 */
export async function storeValidEvents(store: EventStore, events: readonly ValidEvent[]): Promise<{ stored: number; duplicates: number }> {
  const byTenant = new Map<string, ValidEvent[]>();
  for (const event of events) {
    const tenantEvents = byTenant.get(event.tenant) ?? [];
    tenantEvents.push(event);
    byTenant.set(event.tenant, tenantEvents);
  }
  let stored = 0;
  let duplicates = 0;
  for (const [tenant, tenantEvents] of byTenant) {
    const result = await store.append(tenant, toStreamAppends(tenantEvents));
    stored += result.stored.length;
    duplicates += result.duplicates.length;
  }
  return { stored, duplicates };
}
