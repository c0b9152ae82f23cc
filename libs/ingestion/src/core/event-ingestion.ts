// The ingest rules, framework-free: what the HTTP command, the Kafka ingestor, xAPI and the CLI share.
import { type EventValidation, type TenantSource, validateEvent, type ValidEvent } from '@rework-ledger/contracts';
import type { ErrorShape } from '@rework-ledger/domain';
import type { EventStore } from '@rework-ledger/event-store';
import { storeValidEvents } from './store-valid-events';

export type Rejection = Readonly<{ index: number; id?: string; errors: readonly ErrorShape[] }>;

export type IngestResult = Readonly<{
  /** Events newly stored. */
  accepted: number;
  /** Events already stored (same tenant, source and id), acknowledged and not stored again. */
  duplicates: number;
  rejected: readonly Rejection[];
}>;

/** Splits raw events into valid ones (with their index in the request) and rejections, with the one validator. */
export function validateEvents(rawEvents: readonly unknown[], tenantSource: TenantSource): { valid: { index: number; event: ValidEvent }[]; rejected: Rejection[] } {
  const valid: { index: number; event: ValidEvent }[] = [];
  const rejected: Rejection[] = [];
  rawEvents.forEach((raw, index) => {
    const result = validateOne(raw, tenantSource);
    if (result.ok) valid.push({ index, event: result.event });
    else rejected.push({ index, ...(result.id !== undefined ? { id: result.id } : {}), errors: result.errors });
  });
  return { valid, rejected };
}

/**
 * The validator never throws (fuzz-tested); should it ever, that event alone is rejected, never its batch (issue 14:
 * one bad event must not cost the others).
 */
function validateOne(raw: unknown, tenantSource: TenantSource): EventValidation {
  try {
    return validateEvent(raw, tenantSource);
  } catch {
    return { ok: false, errors: [{ code: 'EVENT.NOT_VALIDATED', message: 'the event could not be validated' }] };
  }
}

/**
 * Validates and stores a request's events for one tenant in one transaction. Invalid events are rejected with
 * their reasons and never block the valid ones; repeats are acknowledged as duplicates and stored once.
 */
export async function ingestEvents(store: EventStore, tenant: string, rawEvents: readonly unknown[]): Promise<IngestResult> {
  const { valid, rejected } = validateEvents(rawEvents, { fromCredentials: tenant });
  const { stored, duplicates } = await storeValidEvents(store, valid.map((v) => v.event));
  return { accepted: stored, duplicates, rejected };
}
