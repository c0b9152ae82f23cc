import { EVENT_TYPES, type EventType, TASK_TYPES } from '@rework-ledger/domain';
import fc from 'fast-check';
import {
  compiledDataEventTypes,
  compiledEnvelopeEventTypes,
  passesClassValidatorDataRules,
  passesClassValidatorEnvelopeRules,
  passesCompiledDataRules,
  passesCompiledEnvelopeRules,
} from './compiled-event-validator';
import { nearEvent, oddJson, oddString, tenants, VALID_DATA } from './event-arbitraries.test-support';
import * as compiled from './event-validator';
import { MAX_EXTRA_DATA_BYTES, MAX_NESTING_DEPTH } from './limits';
import { INVALID_USAGE_DATA, usageData, VALID_USAGE_DATA } from './usage-recorded.test-support';

// Parity of the compiled contract check (Ajv, from the JSON Schemas) with class-validator, which defines the rules:
// on every event of the corpus both give the same verdict, and the validator with the fast path answers exactly
// (codes, messages, fields) what the validator without it answers.

/** event-validator.ts as it was before the fast path: class-validator asked on every event. */
const classValidatorOnly = jest.fn(() => false);
let reference!: typeof import('./event-validator');
jest.isolateModules(() => {
  jest.doMock('./compiled-event-validator', () => ({ passesCompiledDataRules: classValidatorOnly, passesCompiledEnvelopeRules: classValidatorOnly }));
  // A second copy of the module, with the fast path off.
  reference = require('./event-validator');
});
jest.dontMock('./compiled-event-validator');

const credentials = { fromCredentials: 'acme' } as const;
const envelope = { specversion: '1.0', id: 'evt-1', source: 'urn:x', time: '2026-03-02T10:00:00Z' };

/** The properties each type's data class declares (from the base data and the fields below). */
const PROPERTIES: Record<EventType, readonly string[]> = {
  'ai.output.generated': ['outputId', 'employeeId', 'teamId', 'tool', 'model', 'taskType', 'inputTokens', 'outputTokens', 'minutesSavedEstimate'],
  'ai.output.corrected': ['outputId', 'employeeId', 'minutesSpent', 'reason'],
  'ai.output.rewritten': ['outputId', 'employeeId', 'minutesSpent', 'reason'],
  'ai.output.double_checked': ['outputId', 'employeeId', 'minutesSpent', 'reason'],
  'ai.output.discarded': ['outputId', 'employeeId', 'minutesSpent', 'reason'],
  'training.course_registered': ['courseId', 'title', 'skills', 'costPerSeat', 'currency', 'activityIds'],
  'training.completed': ['employeeId', 'courseId', 'score'],
  'training.completion_retracted': ['employeeId', 'courseId'],
  'employee.assigned': ['employeeId', 'teamId', 'role', 'hourlyCost', 'effectiveFrom'],
  'employee.identity_linked': ['employeeId', 'system', 'externalId'],
  'ai.usage.recorded': [
    'employeeId', 'teamId', 'tool', 'model', 'day', 'usageKey', 'requests', 'suggestions', 'acceptances', 'linesSuggested', 'linesAccepted',
    'inputTokens', 'outputTokens', 'cost', 'currency', 'credits', 'series', 'seriesStart', 'cumulative',
  ],
};

/** ai.usage.recorded's fields its @ValidateIf conditions read or guard (validate-if-conditions.ts). */
const CONDITION_FIELDS = ['cost', 'currency', 'cumulative', 'series', 'seriesStart'] as const;

/**
 * More valid usage data besides VALID_DATA's (a cost with its currency), so that each condition is met and unmet from
 * either side: an OTLP cumulative point (series, start, cumulative: true), a delta point with a cost, and a report with
 * no cost and no series.
 */
const USAGE_BASES: readonly Record<string, unknown>[] = [
  { employeeId: 'e', tool: 'claude-code', day: '2026-03-01', usageKey: 'k@1', inputTokens: 1200, series: 'claude_code.token.usage:abc', seriesStart: '2026-03-01T08:00:00Z', cumulative: true },
  { employeeId: 'e', tool: 'claude-code', day: '2026-03-01', usageKey: 'k@2', cost: 0.25, currency: 'USD', series: 's', seriesStart: '2026-03-01T08:00:00Z', cumulative: false },
  { employeeId: 'e', tool: 'github-copilot', day: '2026-03-01', usageKey: 'k@3', requests: 3, credits: 0.5 },
];

/** The valid data mutations start from: VALID_DATA's, and for usage also USAGE_BASES. */
const basesOf = (type: EventType): readonly Record<string, unknown>[] => (type === 'ai.usage.recorded' ? [VALID_DATA[type], ...USAGE_BASES] : [VALID_DATA[type]]);

const nextUp = (x: number) => x + Math.max(Number.MIN_VALUE, Math.abs(x) * Number.EPSILON);
const nextDown = (x: number) => x - Math.max(Number.MIN_VALUE, Math.abs(x) * Number.EPSILON);
const BOUNDS = [1, 200, 1440, 2000, 2048, 525_600, 1e9, 1e12];

/** Values at and just beyond every bound of the contract, of every type a JSON field can hold. */
const NUMBERS = [
  0, -0, 1, -1, 0.5, 1.5, -1.5, 1e-6, 1e-7, 9.99e-7, nextDown(1e-6), nextUp(1e-6), 5e-324, -5e-324, 1e-200, 2 ** 53, 2 ** 53 + 2,
  Number.MAX_VALUE, -Number.MAX_VALUE, NaN, Infinity, -Infinity,
  ...BOUNDS.flatMap((bound) => [bound, nextUp(bound), nextDown(bound), bound + 1, bound + 0.5]),
];
const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u0008', '\t', '\n', '\u000b', '\u000c', '\r', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f', '\u00a0', '\u2028'];
const STRINGS = [
  '', ' ', 'x', 'é', '😀', '\ud800', '\udc00', 'a\ud800b', '\udc00\ud800', '\uFE0F',
  ...[199, 200, 201, 1999, 2000, 2001, 2047, 2048, 2049].flatMap((length) => [
    'x'.repeat(length),
    // validator.js counts a surrogate pair, and a character with its presentation selector, as one.
    '😀'.repeat(length),
    'a\uFE0F'.repeat(length),
    '\uFE0F'.repeat(length),
    `${'x'.repeat(length - 1)}\t`,
  ]),
  ...CONTROL_CHARACTERS.flatMap((c) => [c, `a${c}b`, `${c}${'x'.repeat(199)}`]),
  // Currencies (ISO 4217 or only shaped like it) and task types.
  'EUR', 'USD', 'IRR', 'XTS', 'XXX', 'ABC', 'eur', 'EURO', 'EU', ...TASK_TYPES, 'Coding', 'poetry',
  // Booleans as text, and UTC days real or not.
  'true', 'false', '2026-03-01', '2028-02-29', '2026-02-29', '2026-13-01', '2026-01-32', '2026-00-10', '1970-01-01', '1969-12-31', '2026-3-1', '9999-12-31',
  // Times: RFC 3339 and what only looks like it.
  '2026-03-02T10:00:00Z', '2026-03-02t10:00:00z', '2026-03-02 10:00:00Z', '2026-03-02T10:00:00', '2026-03-02T10:00:00.123456789+05:30',
  '2026-03-02T10:00Z', '2026-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '2026-02-30T00:00:00Z', '2026-02-31T25:00:00Z', '2026-12-31T23:59:60Z',
  '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59-01:00', '10000-01-01T00:00:00Z',
  '2026-03-02T10:00:00+24:00', 'yesterday', '__proto__', 'constructor',
];
const OTHERS: unknown[] = [
  null, true, false, [], {}, { a: 1 }, ['s'], [''], [1], [null], ['s', 's'], ['a\u0085'], ['x'.repeat(201)], ['😀'.repeat(200)], ['x'.repeat(2049)],
  Array.from({ length: 100 }, () => 's'), Array.from({ length: 101 }, () => 's'), ['https://x.test/a', '\ud800'], [['s']], ['EUR'],
];
const VALUES: unknown[] = [...NUMBERS, ...STRINGS, ...OTHERS];

type Case = Readonly<{ name: string; type: EventType; data: Record<string, unknown> }>;

/** Every declared field of every type replaced by every value, then each field missing, then odd extra fields. */
function targetedCases(): Case[] {
  const cases: Case[] = [];
  const deep = (levels: number) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i++) value = { v: value };
    return value;
  };
  for (const type of EVENT_TYPES) {
    const valid = VALID_DATA[type];
    cases.push({ name: `${type} valid`, type, data: { ...valid } });
    for (const property of PROPERTIES[type]) {
      VALUES.forEach((value, index) => cases.push({ name: `${type} ${property} = value #${index}`, type, data: { ...valid, [property]: value } }));
      const { [property]: _, ...without } = valid;
      cases.push({ name: `${type} without ${property}`, type, data: without });
      cases.push({ name: `${type} ${property} undefined`, type, data: { ...valid, [property]: undefined } });
    }
    const extras: [string, Record<string, unknown>][] = [
      ['an extra field', { extra: 'kept' }],
      ['an extra field with a NUL', { extra: 'a\u0000' }],
      ['an extra field named constructor', { constructor: 'x' }],
      ['an extra field named __proto__', JSON.parse('{"__proto__": {"outputId": "o"}}')],
      ['an extra field nested to the limit', { extra: deep(MAX_NESTING_DEPTH - 1) }],
      ['an extra field nested too deep', { extra: deep(MAX_NESTING_DEPTH) }],
      ['extra fields over the size limit', { blob: 'x'.repeat(MAX_EXTRA_DATA_BYTES) }],
      ['extra fields up to the size limit', { blob: 'x'.repeat(MAX_EXTRA_DATA_BYTES - 20) }],
    ];
    for (const [name, extra] of extras) cases.push({ name: `${type} ${name}`, type, data: { ...valid, ...extra } });
    cases.push({ name: `${type} empty`, type, data: {} });
  }
  // The fields of usage's conditions from the other usage bases: each condition met and unmet from either side.
  USAGE_BASES.forEach((valid, base) => {
    const type = 'ai.usage.recorded';
    cases.push({ name: `usage base #${base} valid`, type, data: { ...valid } });
    for (const property of CONDITION_FIELDS) {
      VALUES.forEach((value, index) => cases.push({ name: `usage base #${base} ${property} = value #${index}`, type, data: { ...valid, [property]: value } }));
      const { [property]: _, ...without } = valid;
      cases.push({ name: `usage base #${base} without ${property}`, type, data: without });
    }
  });
  return cases;
}

/** A field's value in a grid: ABSENT leaves it out. */
const ABSENT = Symbol('absent');

/** Every combination of the given values of some fields, over each base. */
function grid(bases: readonly Record<string, unknown>[], values: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  return Object.entries(values).reduce<Record<string, unknown>[]>(
    (partial, [field, options]) =>
      partial.flatMap((data) =>
        options.map((value) => {
          const { [field]: _, ...without } = data;
          return value === ABSENT ? without : { ...without, [field]: value };
        }),
      ),
    bases.map((base) => ({ ...base })),
  );
}

const MISSING = [ABSENT, undefined, null];
/** Usage data with every combination of cost and currency, then of cumulative, series and seriesStart. */
function usageConditionCases(): Record<string, unknown>[] {
  // With another figure, and with none (cost then the only one that can count).
  const costBases = [usageData(), usageData({ requests: undefined })];
  const costs = grid(costBases, {
    cost: [...MISSING, 3, 0, 1e-7, 1e9 + 1, '3', NaN, true],
    currency: [...MISSING, 'USD', 'XXX', 'usd', 'EURO', '', 3, ['USD'], true],
  });
  const seriesBases = [usageData(), usageData({ cost: 3, currency: 'USD' })];
  const series = grid(seriesBases, {
    cumulative: [...MISSING, true, false, 'true', 1, 0, []],
    series: [...MISSING, 's', '', 3, 'x\u0000', 'x'.repeat(2049)],
    seriesStart: [...MISSING, '2026-03-01T08:00:00Z', '1969-01-01T00:00:00Z', 'yesterday', '2026-03-01', 0],
  });
  return [...costs, ...series];
}

/** The envelope's attributes replaced by every value, each attribute missing, and extension attributes. */
function envelopeCases(): { name: string; event: Record<string, unknown> }[] {
  const valid = { ...envelope, type: 'ai.output.generated', data: { ...VALID_DATA['ai.output.generated'] } };
  const cases: { name: string; event: Record<string, unknown> }[] = [];
  for (const type of EVENT_TYPES) cases.push({ name: `valid ${type}`, event: { ...valid, type, data: { ...VALID_DATA[type] }, subject: 's', tenant: 'acme' } });
  const attributes = ['specversion', 'id', 'source', 'time', 'subject', 'datacontenttype', 'dataschema', 'tenant', 'data'];
  for (const attribute of attributes) {
    [...VALUES, '1.0', '0.3', 1.0, 'application/json'].forEach((value, index) => cases.push({ name: `${attribute} = value #${index}`, event: { ...valid, [attribute]: value } }));
    const { [attribute]: _, ...without } = valid as Record<string, unknown>;
    cases.push({ name: `without ${attribute}`, event: without });
  }
  for (const [name, extra] of [
    ['an extension attribute', { traceparent: '00-x' }],
    ['an extension attribute with a NUL', { traceparent: 'x\u0000' }],
    ['an extension attribute named constructor', { constructor: 'x' }],
    ['an envelope attribute named __proto__', JSON.parse('{"__proto__": {"id": "x"}}')],
  ] as [string, Record<string, unknown>][]) {
    cases.push({ name, event: { ...valid, ...extra } });
  }
  return cases;
}

/** The fast path's verdict equals class-validator's, and the validator answers exactly what it answered without it. */
function expectParity(type: EventType, data: Record<string, unknown>): void {
  // A type without compiled rules is declined by the fast path (class-validator decides), never passed.
  const fastPath = compiledDataEventTypes().includes(type);
  expect(passesCompiledDataRules(type, data)).toBe(fastPath && passesClassValidatorDataRules(type, data));
  expect(compiled.validateStoredEventData(type, data)).toEqual(reference.validateStoredEventData(type, data));
  const event = { ...envelope, type, data };
  expect(compiled.validateEvent(event, credentials)).toEqual(reference.validateEvent(event, credentials));
}

describe('the compiled contract check (Ajv) against class-validator', () => {
  it('compiles the data rules of every event type', () => {
    // ai.usage.recorded's @ValidateIf rules included (validate-if-conditions.ts); its "at least one figure" stays beside
    // class-validator (usageDataErrors), run on every event.
    expect(compiledDataEventTypes()).toEqual([...EVENT_TYPES]);
  });

  it('given values at and just beyond every bound, every type and odd field, then both agree event by event', () => {
    const cases = targetedCases();
    let valid = 0;
    for (const { name, type, data } of cases) {
      try {
        expectParity(type, data);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
      if (passesClassValidatorDataRules(type, data)) valid++;
    }
    // Not vacuous: both verdicts occur many times over, and the reference ran class-validator.
    expect(cases.length).toBeGreaterThan(5000);
    expect(valid).toBeGreaterThan(500);
    expect(cases.length - valid).toBeGreaterThan(2000);
    expect(classValidatorOnly).toHaveBeenCalled();
  });

  it('given every combination of the fields usage’s @ValidateIf conditions read, then both agree event by event', () => {
    const cases = usageConditionCases();
    let valid = 0;
    for (const data of cases) {
      try {
        expectParity('ai.usage.recorded', data);
      } catch (error) {
        throw new Error(`${JSON.stringify(data)}: ${(error as Error).message}`);
      }
      if (passesClassValidatorDataRules('ai.usage.recorded', data)) valid++;
    }
    expect(cases.length).toBeGreaterThan(1000);
    expect(valid).toBeGreaterThan(100);
    expect(cases.length - valid).toBeGreaterThan(500);
  });

  it('given a @ValidateIf with no stated condition, then its class is left to class-validator', () => {
    type Stated = (usage: new () => object) => ReadonlyMap<new () => object, Record<string, unknown>>;
    const compiledTypes = (stated: Stated): EventType[] => {
      let types: EventType[] = [];
      jest.isolateModules(() => {
        jest.doMock('./validate-if-conditions', () => ({ VALIDATE_IF_CONDITIONS: stated(require('./event-data').UsageRecordedData) }));
        types = require('./compiled-event-validator').compiledDataEventTypes();
      });
      jest.dontMock('./validate-if-conditions');
      return types;
    };
    const allButUsage = EVENT_TYPES.filter((type) => type !== 'ai.usage.recorded');
    const met = { required: ['cost'], properties: { cost: { not: { type: 'null' } } } };
    expect(compiledTypes(() => new Map())).toEqual(allButUsage);
    // One of the three missing.
    expect(compiledTypes((usage) => new Map([[usage, { currency: met, series: met }]]))).toEqual(allButUsage);
    expect(compiledTypes((usage) => new Map([[usage, { currency: met, series: met, seriesStart: met }]]))).toEqual([...EVENT_TYPES]);
  });

  it('compiles the envelope rules of every event type', () => {
    expect(compiledEnvelopeEventTypes()).toEqual([...EVENT_TYPES]);
  });

  it('given envelope attributes at and beyond every bound, of every type, or missing, then both agree event by event', () => {
    const cases = envelopeCases();
    let valid = 0;
    for (const { name, event } of cases) {
      try {
        expect(passesCompiledEnvelopeRules(event)).toBe(passesClassValidatorEnvelopeRules(event));
        for (const tenantSource of [credentials, { fromEvent: true } as const]) {
          expect(compiled.validateEvent(event, tenantSource)).toEqual(reference.validateEvent(event, tenantSource));
        }
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
      if (passesClassValidatorEnvelopeRules(event)) valid++;
    }
    expect(valid).toBeGreaterThan(100);
    expect(cases.length - valid).toBeGreaterThan(500);
  });

  it('given an event of no known type, then the envelope is left to class-validator', () => {
    for (const type of ['ai.output.praised', '', 42, undefined]) {
      const event = { ...envelope, type, data: {} };
      expect(passesCompiledEnvelopeRules(event)).toBe(false);
      expect(compiled.validateEvent(event, credentials)).toEqual(reference.validateEvent(event, credentials));
    }
  });

  it('given the cases the validator tests name, then the fast path passes the valid ones', () => {
    const valid: [EventType, Record<string, unknown>][] = [
      ['employee.assigned', { employeeId: 'e', teamId: 't', hourlyCost: 1e9, effectiveFrom: '9999-12-31T23:59:59Z' }],
      ['ai.output.generated', { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', minutesSavedEstimate: 525_600, inputTokens: 1e12, outputTokens: 1e12 }],
      ['training.course_registered', { courseId: 'c', title: 't', skills: [], costPerSeat: 1e9, currency: 'IRR' }],
      ['ai.output.corrected', { outputId: 'o-😀', employeeId: 'e', minutesSpent: 1e-6, reason: 'line 1\n\tline 2\r\n', note: '😀' }],
      ['training.completed', { employeeId: 'e', courseId: 'c', score: 0 }],
      ['ai.output.generated', { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', teamId: null, model: null, inputTokens: null }],
    ];
    for (const [type, data] of valid) {
      expect(passesCompiledDataRules(type, data)).toBe(true);
      expectParity(type, data);
    }
    for (const data of [...VALID_USAGE_DATA, ...USAGE_BASES]) {
      expect(passesCompiledDataRules('ai.usage.recorded', data)).toBe(true);
      expectParity('ai.usage.recorded', data);
    }
    for (const [name, data] of INVALID_USAGE_DATA) {
      try {
        expectParity('ai.usage.recorded', data);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
  });

  it('given usage data on either side of each @ValidateIf condition, then the fast path passes exactly what class-validator passes', () => {
    const cases: [string, Record<string, unknown>, boolean][] = [
      ['a cost with its currency', usageData({ cost: 3, currency: 'USD' }), true],
      ['a cost without currency', usageData({ cost: 3 }), false],
      ['a cost with a null currency', usageData({ cost: 3, currency: null }), false],
      ['a zero cost without currency', usageData({ cost: 0 }), false],
      ['a currency alone', usageData({ currency: 'USD' }), true],
      ['a currency alone, not ISO 4217', usageData({ currency: 'dollars' }), false],
      ['a null cost without currency', usageData({ cost: null }), true],
      ['a null cost and a null currency', usageData({ cost: null, currency: null }), true],
      ['a null cost with a currency', usageData({ cost: null, currency: 'USD' }), true],
      ['cumulative with series and start', usageData({ cumulative: true, series: 's', seriesStart: '2026-03-01T08:00:00Z' }), true],
      ['cumulative without series', usageData({ cumulative: true, seriesStart: '2026-03-01T08:00:00Z' }), false],
      ['cumulative with a null series', usageData({ cumulative: true, series: null, seriesStart: '2026-03-01T08:00:00Z' }), false],
      ['cumulative without start', usageData({ cumulative: true, series: 's' }), false],
      ['cumulative alone', usageData({ cumulative: true }), false],
      ['not cumulative, alone', usageData({ cumulative: false }), true],
      ['not cumulative, with series and start', usageData({ cumulative: false, series: 's', seriesStart: '2026-03-01T08:00:00Z' }), true],
      ['not cumulative, with an empty series', usageData({ cumulative: false, series: '' }), false],
      ['not cumulative, with a null series and start', usageData({ cumulative: false, series: null, seriesStart: null }), true],
      ['no cumulative, with a series alone', usageData({ series: 's' }), true],
      ['no cumulative, with a start alone that is not RFC 3339', usageData({ seriesStart: 'yesterday' }), false],
      ['a null cumulative with nothing else', usageData({ cumulative: null }), true],
      ['cumulative as the string true, with series and start', usageData({ cumulative: 'true', series: 's', seriesStart: '2026-03-01T08:00:00Z' }), false],
      ['cumulative as the string true, alone', usageData({ cumulative: 'true' }), false],
      ['cumulative as 1', usageData({ cumulative: 1 }), false],
      ['a series that is a number', usageData({ cumulative: true, series: 3, seriesStart: '2026-03-01T08:00:00Z' }), false],
    ];
    for (const [name, data, passes] of cases) {
      try {
        expect(passesClassValidatorDataRules('ai.usage.recorded', data)).toBe(passes);
        expect(passesCompiledDataRules('ai.usage.recorded', data)).toBe(passes);
        expectParity('ai.usage.recorded', data);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
  });

  it('given random mutations of valid data (fast-check), then both agree', () => {
    const boundary = fc.constantFrom(...VALUES);
    const mutation = fc.record({
      type: fc.constantFrom(...EVENT_TYPES),
      edits: fc.array(
        fc.record({
          // Mostly a declared field; sometimes any name.
          field: fc.oneof({ arbitrary: fc.nat(20), weight: 4 }, { arbitrary: oddString, weight: 1 }),
          value: fc.oneof(boundary, oddJson, fc.double(), fc.integer({ min: -2, max: 2 ** 53 }), fc.string({ unit: 'binary', maxLength: 210 }), fc.constant(undefined)),
          remove: fc.boolean(),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    });
    let valid = 0;
    fc.assert(
      fc.property(mutation, fc.nat(), ({ type, edits }, base) => {
        const bases = basesOf(type);
        const data: Record<string, unknown> = { ...bases[base % bases.length] };
        for (const { field, value, remove } of edits) {
          const name = typeof field === 'number' ? PROPERTIES[type][field % PROPERTIES[type].length] : field;
          if (remove) delete data[name];
          else data[name] = value;
        }
        expectParity(type, data);
        if (passesClassValidatorDataRules(type, data)) valid++;
      }),
      { numRuns: 3000 },
    );
    expect(valid).toBeGreaterThan(100);
  });

  it('given events close to valid (the fuzz test’s arbitrary), then validateEvent answers exactly as without the fast path', () => {
    fc.assert(
      fc.property(nearEvent, tenants, (raw, tenantSource) => {
        expect(compiled.validateEvent(raw, tenantSource)).toEqual(reference.validateEvent(raw, tenantSource));
        if (passesCompiledEnvelopeRules(raw)) expect(passesClassValidatorEnvelopeRules(raw)).toBe(true);
        const { type, data } = raw as { type: string; data: unknown };
        expect(compiled.validateStoredEventData(type, data)).toEqual(reference.validateStoredEventData(type, data));
      }),
      { numRuns: 2000 },
    );
  });

  it('given values no JSON parser produces, then the fast path never passes what class-validator refuses, and the answers are the same', () => {
    const strangeValues: unknown[] = [new String('x'), new Number(1), new Boolean(true), new Boolean(false), new Date(0), Object.assign(new Array(2), { 1: 's' }), Object.create({ a: 1 }), 10n, Symbol('s'), () => 1];
    for (const type of EVENT_TYPES) {
      for (const property of PROPERTIES[type]) {
        for (const value of strangeValues) {
          const data = { ...VALID_DATA[type], [property]: value };
          if (passesCompiledDataRules(type, data)) expect(passesClassValidatorDataRules(type, data)).toBe(true);
          expect(compiled.validateStoredEventData(type, data)).toEqual(reference.validateStoredEventData(type, data));
        }
      }
      // Fields inherited rather than own: class-validator does not see them, nor does the compiled check.
      const inherited = Object.create(VALID_DATA[type]) as Record<string, unknown>;
      expect(passesCompiledDataRules(type, inherited)).toBe(false);
      expect(compiled.validateStoredEventData(type, inherited)).toEqual(reference.validateStoredEventData(type, inherited));
    }
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_TYPES), fc.anything({ withBoxedValues: true, withNullPrototype: true, withSparseArray: true }), (type, value) => {
        const data = { ...VALID_DATA[type], [PROPERTIES[type][0]]: value };
        if (passesCompiledDataRules(type, data)) expect(passesClassValidatorDataRules(type, data)).toBe(true);
        expect(compiled.validateStoredEventData(type, data)).toEqual(reference.validateStoredEventData(type, data));
      }),
      { numRuns: 1000 },
    );
  });

  it('given a value that throws when read, then the fast path declines rather than throwing', () => {
    const data = { ...VALID_DATA['training.completed'] };
    Object.defineProperty(data, 'score', { enumerable: true, get: () => { throw new Error('unreadable'); } });
    expect(passesCompiledDataRules('training.completed', data)).toBe(false);
  });
});
