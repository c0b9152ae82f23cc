import { EVENT_TYPES } from '@rework-ledger/domain';
import fc from 'fast-check';
import { isStorableText } from './event-structure';
import { validateEvent, validateStoredEventData } from './event-validator';

// The validator is the one gate of every entry point: whatever it is given, it answers (never throws), and what it
// accepts is what the store can take and what a projection will accept again from the store.

const tenants = fc.constantFrom({ fromCredentials: 'acme' } as const, { fromEvent: true } as const, { fromEvent: true, boundTo: 'acme' } as const);

/** Strings with what breaks naive code: NUL, lone surrogates, control characters, reserved names, long runs. */
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u0000', '\ud800', 'a\udc00', '😀', '\t\n', '__proto__', 'constructor', 'prototype', 'x'.repeat(2100), '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z'),
);
const oddJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    oddString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Valid data of every type, for events close to valid. */
const VALID_DATA: Record<string, Record<string, unknown>> = {
  'ai.output.generated': { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', inputTokens: 1e12, minutesSavedEstimate: 525_600 },
  'ai.output.corrected': { outputId: 'o', employeeId: 'e', minutesSpent: 1440, reason: 'why\n' },
  'ai.output.rewritten': { outputId: 'o', employeeId: 'e', minutesSpent: 0 },
  'ai.output.double_checked': { outputId: 'o', employeeId: 'e', minutesSpent: 1e-6 },
  'ai.output.discarded': { outputId: 'o', employeeId: 'e', minutesSpent: 3 },
  'training.course_registered': { courseId: 'c', title: 't', skills: ['s'], costPerSeat: 1e9, currency: 'EUR', activityIds: ['https://x.test/a'] },
  'training.completed': { employeeId: 'e', courseId: 'c', score: 1 },
  'employee.assigned': { employeeId: 'e', teamId: 't', hourlyCost: 1e9, effectiveFrom: '9999-12-31T23:59:59Z' },
  'employee.identity_linked': { employeeId: 'e', system: 'lms', externalId: 'mailto:e@x.test' },
};
const mostly = <T>(valid: T, odd: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: fc.constant(valid), weight: 6 }, { arbitrary: odd, weight: 1 });

/** Events close to valid, so that the data classes are reached: a valid event with any field replaced, or anything added. */
const nearEvent = fc
  .record({
    specversion: mostly('1.0', oddJson),
    id: mostly('evt-1', oddString),
    source: mostly('urn:x', oddString),
    type: fc.oneof({ arbitrary: fc.constantFrom(...EVENT_TYPES), weight: 6 }, { arbitrary: oddString, weight: 1 }),
    time: mostly('2026-03-02T10:00:00Z', oddString),
    tenant: fc.option(mostly('acme', oddString), { nil: undefined }),
    changes: fc.dictionary(fc.oneof(fc.constantFrom('outputId', 'employeeId', 'tool', 'minutesSpent', 'hourlyCost', 'effectiveFrom', 'skills', 'score', 'reason'), oddString), oddJson, { maxKeys: 3 }),
    wholeData: fc.option(oddJson, { nil: undefined, freq: 8 }),
  })
  .map(({ changes, wholeData, ...event }) => ({
    ...Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)),
    data: wholeData !== undefined ? wholeData : { ...(VALID_DATA[String(event.type)] ?? {}), ...changes },
  }));

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
