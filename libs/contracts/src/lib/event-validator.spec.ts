import { validateEvent } from './event-validator';

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
});
