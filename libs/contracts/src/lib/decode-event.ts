import type { ErrorShape, LedgerEvent } from '@rework-ledger/domain';
import { validateStoredEventData } from './event-validator';

/** Any event with a `type` and a `data`: a stored event, a CloudEvent read back. */
export type UndecodedEvent = Readonly<{ type: string; data: unknown }>;

/** `E` with its `type` and `data` those of an event of contract v1: a union a `switch (event.type)` narrows. */
export type Decoded<E extends UndecodedEvent> = Omit<E, 'type' | 'data'> & LedgerEvent;

export type Decoding<E extends UndecodedEvent> = { ok: true; event: Decoded<E> } | { ok: false; errors: ErrorShape[] };

/**
 * Decodes an event's data, once, where it is read from the store: checked against the rules of contract v1
 * ({@link validateStoredEventData}) and given back typed by its `type`. The event itself is given back, neither
 * copied nor converted (the contract converts nothing: a string is never taken for a number), so extra fields stay.
 */
export function decodeEvent<E extends UndecodedEvent>(event: E): Decoding<E> {
  const errors = validateStoredEventData(event.type, event.data);
  return errors.length === 0 ? { ok: true, event: event as unknown as Decoded<E> } : { ok: false, errors };
}
