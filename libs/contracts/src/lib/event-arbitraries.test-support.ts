import { EVENT_TYPES } from '@rework-ledger/domain';
import fc from 'fast-check';

// Arbitraries of events close to valid and of odd JSON, shared by the validator's fuzz test and the parity test of
// the compiled contract check.

export const tenants = fc.constantFrom({ fromCredentials: 'acme' } as const, { fromEvent: true } as const, { fromEvent: true, boundTo: 'acme' } as const);

/** Strings with what breaks naive code: NUL, lone surrogates, control characters, reserved names, long runs. */
export const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u0000', '\ud800', 'a\udc00', '😀', '\t\n', '__proto__', 'constructor', 'prototype', 'x'.repeat(2100), '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z'),
);
export const oddJson = fc.letrec((tie) => ({
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
export const VALID_DATA: Record<string, Record<string, unknown>> = {
  'ai.output.generated': { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', inputTokens: 1e12, minutesSavedEstimate: 525_600 },
  'ai.output.corrected': { outputId: 'o', employeeId: 'e', minutesSpent: 1440, reason: 'why\n' },
  'ai.output.rewritten': { outputId: 'o', employeeId: 'e', minutesSpent: 0 },
  'ai.output.double_checked': { outputId: 'o', employeeId: 'e', minutesSpent: 1e-6 },
  'ai.output.discarded': { outputId: 'o', employeeId: 'e', minutesSpent: 3 },
  'training.course_registered': { courseId: 'c', title: 't', skills: ['s'], costPerSeat: 1e9, currency: 'EUR', activityIds: ['https://x.test/a'] },
  'training.completed': { employeeId: 'e', courseId: 'c', score: 1 },
  'training.completion_retracted': { employeeId: 'e', courseId: 'c' },
  'employee.assigned': { employeeId: 'e', teamId: 't', hourlyCost: 1e9, effectiveFrom: '9999-12-31T23:59:59Z' },
  'employee.identity_linked': { employeeId: 'e', system: 'lms', externalId: 'mailto:e@x.test' },
  'ai.usage.recorded': { employeeId: 'e', tool: 't', day: '2026-03-01', usageKey: 'k', requests: 1e12, cost: 1e9, currency: 'USD' },
};
export const mostly = <T>(valid: T, odd: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: fc.constant(valid), weight: 6 }, { arbitrary: odd, weight: 1 });

/** Events close to valid, so that the data classes are reached: a valid event with any field replaced, or anything added. */
export const nearEvent = fc
  .record({
    specversion: mostly('1.0', oddJson),
    id: mostly('evt-1', oddString),
    source: mostly('urn:x', oddString),
    type: fc.oneof({ arbitrary: fc.constantFrom(...EVENT_TYPES), weight: 6 }, { arbitrary: oddString, weight: 1 }),
    time: mostly('2026-03-02T10:00:00Z', oddString),
    tenant: fc.option(mostly('acme', oddString), { nil: undefined }),
    changes: fc.dictionary(fc.oneof(fc.constantFrom('outputId', 'employeeId', 'tool', 'minutesSpent', 'hourlyCost', 'effectiveFrom', 'skills', 'score', 'reason', 'day', 'cost', 'currency', 'cumulative', 'series', 'seriesStart'), oddString), oddJson, { maxKeys: 3 }),
    wholeData: fc.option(oddJson, { nil: undefined, freq: 8 }),
  })
  .map(({ changes, wholeData, ...event }) => ({
    ...Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)),
    data: wholeData !== undefined ? wholeData : { ...(VALID_DATA[String(event.type)] ?? {}), ...changes },
  }));
