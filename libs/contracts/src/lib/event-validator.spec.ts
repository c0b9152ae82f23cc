import { validateEvent, validateStoredEventData } from './event-validator';
import { MAX_EXTRA_DATA_BYTES, MAX_NESTING_DEPTH } from './limits';

const credentials = { fromCredentials: 'acme' } as const;

function generated(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: 'urn:tool:copilot',
    type: 'ai.output.generated',
    time: '2026-03-02T10:00:00Z',
    data: { outputId: 'o-1', employeeId: 'e-1', tool: 'copilot', taskType: 'coding', ...data },
    ...overrides,
  };
}

describe('validateEvent', () => {
  it('given a valid event, then it is accepted with the tenant of the credentials and extra data kept', () => {
    const result = validateEvent(generated({}, { extra: 'kept' }), credentials);
    expect(result).toEqual({
      ok: true,
      event: expect.objectContaining({ tenant: 'acme', id: 'evt-1', type: 'ai.output.generated', time: new Date('2026-03-02T10:00:00Z') }),
    });
    expect(result.ok && result.event.data['extra']).toBe('kept');
  });

  it.each([
    ['a wrong specversion', generated({ specversion: '0.3' }), 'EVENT.UNSUPPORTED_SPECVERSION', 'specversion'],
    ['an unknown type', generated({ type: 'ai.output.praised' }), 'EVENT.UNKNOWN_TYPE', 'type'],
    ['a missing id', generated({ id: undefined }), 'FIELD.REQUIRED', 'id'],
    ['a time that is not RFC 3339', generated({ time: 'yesterday' }), 'FIELD.NOT_RFC3339', 'time'],
    ['an impossible date', generated({ time: '2026-02-31T25:00:00Z' }), 'FIELD.NOT_RFC3339', 'time'],
    ['a missing data field', generated({}, { tool: undefined }), 'FIELD.REQUIRED', 'data.tool'],
    ['a number as identifier', generated({}, { employeeId: 42 }), 'FIELD.NOT_A_STRING', 'data.employeeId'],
    ['an empty identifier', generated({}, { employeeId: '' }), 'FIELD.EMPTY', 'data.employeeId'],
    ['an over-long identifier', generated({}, { outputId: 'x'.repeat(201) }), 'FIELD.TOO_LONG', 'data.outputId'],
    ['an unknown task type', generated({}, { taskType: 'poetry' }), 'FIELD.NOT_ALLOWED', 'data.taskType'],
    ['a negative number', generated({}, { minutesSavedEstimate: -1 }), 'FIELD.OUT_OF_RANGE', 'data.minutesSavedEstimate'],
    ['a non-finite number', generated({}, { minutesSavedEstimate: Infinity }), 'FIELD.NOT_A_FINITE_NUMBER', 'data.minutesSavedEstimate'],
    ['another tenant', generated({ tenant: 'globex' }), 'EVENT.TENANT_MISMATCH', 'tenant'],
  ])('given %s, then it is rejected naming the field and the rule', (_, event, code, field) => {
    const result = validateEvent(event, credentials);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toContainEqual(expect.objectContaining({ code, field }));
  });

  it('given rework over a day long, then minutesSpent is out of range', () => {
    const event = { ...generated(), type: 'ai.output.corrected', data: { outputId: 'o', employeeId: 'e', minutesSpent: 1441 } };
    const result = validateEvent(event, credentials);
    expect(!result.ok && result.errors).toEqual([expect.objectContaining({ code: 'FIELD.OUT_OF_RANGE', field: 'data.minutesSpent' })]);
  });

  it('given a non-object, then it is rejected', () => {
    expect(validateEvent([1], credentials)).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'EVENT.NOT_AN_OBJECT' })] });
  });

  it('given Kafka events, then the tenant comes from the tenant extension and may be bound', () => {
    expect(validateEvent(generated({ tenant: 'acme' }), { fromEvent: true })).toMatchObject({ ok: true, event: { tenant: 'acme' } });
    expect(validateEvent(generated(), { fromEvent: true })).toMatchObject({ ok: false, errors: [{ code: 'EVENT.TENANT_MISSING' }] });
    expect(validateEvent(generated({ tenant: 'acme' }), { fromEvent: true, boundTo: 'globex' })).toMatchObject({
      ok: false,
      errors: [{ code: 'EVENT.TENANT_MISMATCH' }],
    });
  });

  it('validates every event type of contract v1', () => {
    const base = { specversion: '1.0', id: 'x', source: 's', time: '2026-01-01T00:00:00Z' };
    const valid = [
      { type: 'training.course_registered', data: { courseId: 'c', title: 'Prompting', skills: ['prompting'], costPerSeat: 120, currency: 'EUR' } },
      { type: 'training.completed', data: { employeeId: 'e', courseId: 'c', score: 0.9 } },
      { type: 'employee.assigned', data: { employeeId: 'e', teamId: 't', hourlyCost: 50, effectiveFrom: '2026-01-01T00:00:00Z' } },
      { type: 'employee.identity_linked', data: { employeeId: 'e', system: 'lms', externalId: 'mailto:e@acme.test' } },
      { type: 'ai.output.discarded', data: { outputId: 'o', employeeId: 'e', minutesSpent: 0 } },
    ];
    for (const event of valid) expect(validateEvent({ ...base, ...event }, credentials)).toMatchObject({ ok: true });
    expect(
      validateEvent({ ...base, type: 'training.course_registered', data: { courseId: 'c', title: 't', skills: 'x', costPerSeat: 1, currency: 'euro' } }, credentials),
    ).toMatchObject({ ok: false, errors: [{ field: 'data.skills' }, { code: 'FIELD.NOT_A_CURRENCY', field: 'data.currency' }] });
    expect(validateEvent({ ...base, type: 'training.completed', data: { employeeId: 'e', courseId: 'c', score: 1.5 } }, credentials)).toMatchObject({
      ok: false,
      errors: [{ code: 'FIELD.OUT_OF_RANGE', field: 'data.score' }],
    });
  });

  describe('bounds of every number (issue 14: 1e308 as an hourly cost stopped the rework projection)', () => {
    const base = { specversion: '1.0', id: 'x', source: 's', time: '2026-01-01T00:00:00Z' };
    it.each([
      ['employee.assigned', { employeeId: 'e', teamId: 't', hourlyCost: 1e308 }, 'data.hourlyCost'],
      ['employee.assigned', { employeeId: 'e', teamId: 't', hourlyCost: 1e9 + 1 }, 'data.hourlyCost'],
      ['ai.output.generated', { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', minutesSavedEstimate: 525_601 }, 'data.minutesSavedEstimate'],
      ['ai.output.generated', { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', inputTokens: 1e12 + 1 }, 'data.inputTokens'],
      ['ai.output.generated', { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', outputTokens: 1e300 }, 'data.outputTokens'],
      ['training.course_registered', { courseId: 'c', title: 't', skills: [], costPerSeat: 1e10, currency: 'EUR' }, 'data.costPerSeat'],
    ])('given %s over its bound, then it is out of range', (type, data, field) => {
      expect(validateEvent({ ...base, type, data }, credentials)).toEqual({ ok: false, id: 'x', errors: [expect.objectContaining({ code: 'FIELD.OUT_OF_RANGE', field })] });
      expect(validateStoredEventData(type, data)).toEqual([expect.objectContaining({ code: 'FIELD.OUT_OF_RANGE', field })]);
    });

    it.each([[1e-200], [5e-324], [9.99e-7]])('given a number so small (%s) that arithmetic on it underflows, then it is out of range', (minutesSpent) => {
      const data = { outputId: 'o', employeeId: 'e', minutesSpent };
      expect(validateEvent({ ...base, type: 'ai.output.corrected', data }, credentials)).toMatchObject({ ok: false, errors: [{ code: 'FIELD.OUT_OF_RANGE', field: 'data.minutesSpent' }] });
      expect(validateStoredEventData('ai.output.corrected', data)).toEqual([expect.objectContaining({ code: 'FIELD.OUT_OF_RANGE' })]);
    });

    it('given every number at its bound, then the event is valid', () => {
      const valid = [
        { type: 'employee.assigned', data: { employeeId: 'e', teamId: 't', hourlyCost: 1e9, effectiveFrom: '9999-12-31T23:59:59Z' } },
        { type: 'ai.output.generated', data: { outputId: 'o', employeeId: 'e', tool: 't', taskType: 'coding', minutesSavedEstimate: 525_600, inputTokens: 1e12, outputTokens: 1e12 } },
        { type: 'training.course_registered', data: { courseId: 'c', title: 't', skills: [], costPerSeat: 1e9, currency: 'IRR' } },
        { type: 'ai.output.corrected', data: { outputId: 'o', employeeId: 'e', minutesSpent: 1440 } },
        { type: 'ai.output.corrected', data: { outputId: 'o', employeeId: 'e', minutesSpent: 1e-6 } },
        { type: 'training.completed', data: { employeeId: 'e', courseId: 'c', score: 0 } },
      ];
      for (const event of valid) expect(validateEvent({ ...base, ...event }, credentials)).toMatchObject({ ok: true });
    });

    it.each([['0000-01-01T00:00:00Z'], ['1969-12-31T23:59:59Z'], ['9999-12-31T23:59:59-01:00']])('given a time of %s, then it is out of range', (time) => {
      expect(validateEvent(generated({ time }), credentials)).toMatchObject({ ok: false, errors: [{ code: 'FIELD.OUT_OF_RANGE', field: 'time' }] });
      const assignment = { employeeId: 'e', teamId: 't', effectiveFrom: time };
      expect(validateStoredEventData('employee.assigned', assignment)).toEqual([expect.objectContaining({ code: 'FIELD.OUT_OF_RANGE', field: 'data.effectiveFrom' })]);
    });
  });

  describe('odd strings and shapes are refused event by event (issue 14, finding 3)', () => {
    const deep = (levels: number) => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = { v: value };
      return value;
    };
    it.each([
      ['a NUL in an identifier', generated({}, { employeeId: 'e\u0000' }), 'FIELD.INVALID_CHARACTERS', 'data.employeeId'],
      ['a NUL in an extra field', generated({}, { note: 'a\u0000b' }), 'FIELD.INVALID_CHARACTERS', 'data.note'],
      ['a NUL deep in an extra field', generated({}, { note: { list: ['ok', 'a\u0000'] } }), 'FIELD.INVALID_CHARACTERS', 'data.note.list[1]'],
      ['a NUL in an extra field name', generated({}, { 'bad\u0000name': 1 }), 'FIELD.INVALID_CHARACTERS', 'data.bad\uFFFDname'],
      ['a lone high surrogate', generated({}, { tool: 'copilot\ud800' }), 'FIELD.INVALID_CHARACTERS', 'data.tool'],
      ['a lone low surrogate in free text', { ...generated(), type: 'ai.output.corrected', data: { outputId: 'o', employeeId: 'e', minutesSpent: 1, reason: '\udc00x' } }, 'FIELD.INVALID_CHARACTERS', 'data.reason'],
      ['a NUL in the id', generated({ id: 'evt\u0000' }), 'FIELD.INVALID_CHARACTERS', 'id'],
      ['a newline in the source', generated({ source: 'urn:a\nb' }), 'FIELD.INVALID_CHARACTERS', 'source'],
      ['a tab in the subject', generated({ subject: 'a\tb' }), 'FIELD.INVALID_CHARACTERS', 'subject'],
      ['an escape in an identifier', generated({}, { teamId: 'team\u001b[31m' }), 'FIELD.INVALID_CHARACTERS', 'data.teamId'],
      ['a C1 control in a skill', { ...generated(), type: 'training.course_registered', data: { courseId: 'c', title: 't', skills: ['a\u0085'], costPerSeat: 1, currency: 'EUR' } }, 'FIELD.INVALID_CHARACTERS', 'data.skills'],
      ['a bell in a reason', { ...generated(), type: 'ai.output.corrected', data: { outputId: 'o', employeeId: 'e', minutesSpent: 1, reason: 'a\u0007' } }, 'FIELD.INVALID_CHARACTERS', 'data.reason'],
      ['a NUL in an extension attribute', generated({ traceparent: 'x\u0000' }), 'FIELD.INVALID_CHARACTERS', 'traceparent'],
      ['an extension attribute nested too deep', generated({ ext: deep(MAX_NESTING_DEPTH) }), 'EVENT.TOO_DEEP', undefined],
      ['data nested 10,000 levels deep', generated({}, { extra: deep(10_000) }), 'EVENT.TOO_DEEP', undefined],
      ['huge extra fields', generated({}, { blob: 'x'.repeat(MAX_EXTRA_DATA_BYTES) }), 'EVENT.TOO_LARGE', 'data'],
      ['an extra data field named constructor', generated({}, { constructor: 'x' }), 'FIELD.RESERVED_NAME', 'data.constructor'],
      ['an extra data field named __proto__', generated({}, JSON.parse('{"__proto__": {"polluted": true}}')), 'FIELD.RESERVED_NAME', 'data.__proto__'],
      ['a nested field named prototype', generated({}, { extra: { prototype: 1 } }), 'FIELD.RESERVED_NAME', 'data.extra.prototype'],
      ['an envelope attribute named __proto__', JSON.parse(JSON.stringify(generated()).replace('{', '{"__proto__":{"id":"x"},')), 'FIELD.RESERVED_NAME', '__proto__'],
    ])('given %s, then it is rejected with a stable code', (_, event, code, field) => {
      const result = validateEvent(event, credentials);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.errors).toContainEqual(expect.objectContaining({ code, ...(field === undefined ? {} : { field }) }));
      // The same data rules for an event already stored.
      const data = (event as { data: Record<string, unknown> }).data;
      if (field?.startsWith('data') || (code === 'EVENT.TOO_DEEP' && 'extra' in data)) {
        expect(validateStoredEventData(event.type, data)).toContainEqual(expect.objectContaining({ code }));
      }
    });

    it('given a field named constructor, then the contract rules still apply (not "data.undefined is required")', () => {
      const result = validateEvent(generated({}, { constructor: 'x', employeeId: undefined }), credentials);
      expect(!result.ok && result.errors.map((e) => e.field).sort()).toEqual(['data.constructor', 'data.employeeId']);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('given an identity PostgreSQL could not index (2048 CJK characters of source), then it is too long, and the ASCII IRI of the same length is not', () => {
      const cjk = Array.from({ length: 2048 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');
      expect(validateEvent(generated({ source: cjk }), credentials)).toMatchObject({ ok: false, errors: [{ code: 'FIELD.TOO_LONG', field: 'source' }] });
      expect(validateEvent(generated({ source: `urn:${'x'.repeat(2044)}` }), credentials)).toMatchObject({ ok: true });
      const link = { employeeId: 'e', system: 'lms', externalId: cjk.slice(0, 700) };
      expect(validateStoredEventData('employee.identity_linked', link)).toEqual([expect.objectContaining({ code: 'FIELD.TOO_LONG', field: 'data.externalId' })]);
      const course = { courseId: 'c', title: 't', skills: [], costPerSeat: 1, currency: 'EUR', activityIds: ['https://x.test/a', cjk.slice(0, 700)] };
      expect(validateStoredEventData('training.course_registered', course)).toEqual([expect.objectContaining({ code: 'FIELD.TOO_LONG', field: 'data.activityIds[1]' })]);
    });

    it('keeps tabs and line breaks in free text, and well-formed astral characters anywhere', () => {
      const event = { ...generated(), type: 'ai.output.corrected', data: { outputId: 'o-😀', employeeId: 'e', minutesSpent: 1, reason: 'line 1\n\tline 2\r\n', note: '😀' } };
      expect(validateEvent(event, credentials)).toMatchObject({ ok: true });
    });

    it('accepts data nested to the depth limit and extra fields up to the size limit', () => {
      expect(validateEvent(generated({}, { extra: deep(MAX_NESTING_DEPTH - 1) }), credentials)).toMatchObject({ ok: true });
      expect(validateEvent(generated({}, { extra: deep(MAX_NESTING_DEPTH) }), credentials)).toMatchObject({ ok: false });
      expect(validateEvent(generated({}, { blob: 'x'.repeat(MAX_EXTRA_DATA_BYTES - 20) }), credentials)).toMatchObject({ ok: true });
    });
  });
});
