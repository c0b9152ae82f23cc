import { EVENT_TYPES } from '@rework-ledger/domain';
import fc from 'fast-check';
import { nearEvent, oddJson, oddString, tenants } from './event-arbitraries.test-support';
import { isStorableText } from './event-structure';
import { validateEvent, validateStoredEventData } from './event-validator';

// The validator is the one gate of every entry point: whatever it is given, it answers (never throws), and what it
// accepts is what the store can take and what a projection will accept again from the store.

/** Every string and property name of a JSON-ish value, without recursion limits mattering (the values are small). */
function strings(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') found.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      found.push(key);
      strings(item, found);
    }
  }
  return found;
}

describe('validateEvent under fuzzing (fast-check)', () => {
  it('given any JSON-ish value, then it answers and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(oddJson, nearEvent, fc.anything()), tenants, (raw, tenantSource) => {
        const result = validateEvent(raw, tenantSource);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('given any event it accepts, then every string is storable, the data serializes, and the stored-data check agrees', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearEvent, tenants, (raw, tenantSource) => {
        const result = validateEvent(raw, tenantSource);
        if (!result.ok) return;
        accepted++;
        const { event } = result;
        for (const text of [event.id, event.source, event.tenant, ...strings(event.data)]) expect(isStorableText(text)).toBe(true);
        expect(() => JSON.stringify(event.data)).not.toThrow();
        expect(validateStoredEventData(event.type, JSON.parse(JSON.stringify(event.data)))).toEqual([]);
      }),
      { numRuns: 1000 },
    );
    // Not vacuous: many of the events drawn are valid.
    expect(accepted).toBeGreaterThan(10);
  });

  it('given any type and data, then the stored-data check answers and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...EVENT_TYPES), oddString), fc.oneof(oddJson, fc.anything()), (type, data) => {
        expect(Array.isArray(validateStoredEventData(type, data))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('given 100,000 levels of nesting anywhere, then it answers without exhausting the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const event = { specversion: '1.0', id: 'x', source: 's', type: 'ai.output.corrected', time: '2026-03-02T10:00:00Z', data: { outputId: 'o', employeeId: 'e', minutesSpent: 1, deep }, ext: deep };
    expect(validateEvent(event, { fromCredentials: 'acme' })).toMatchObject({ ok: false, errors: [{ code: 'EVENT.TOO_DEEP' }, { code: 'EVENT.TOO_DEEP' }] });
  });
});
