import { decodeEvent } from './decode-event';
import { validateStoredEventData } from './event-validator';

const stored = (type: string, data: Record<string, unknown>) => ({ tenant: 'acme', id: 'evt-1', type, data });

describe('decodeEvent', () => {
  it('given data the contract admits, then the event itself comes back, typed by its type, extra fields kept', () => {
    const event = stored('ai.output.generated', { outputId: 'o-1', employeeId: 'e-1', tool: 'copilot', taskType: 'coding', extra: 'kept' });
    const result = decodeEvent(event);
    expect(result.ok && result.event).toBe(event);
    if (!result.ok || result.event.type !== 'ai.output.generated') throw new Error('expected a decoded ai.output.generated');
    expect(result.event.data.outputId).toBe('o-1');
    expect(result.event.data.taskType).toBe('coding');
    expect(result.event.tenant).toBe('acme');
    expect(result.event.data).toHaveProperty('extra', 'kept');
  });

  it('given optional fields that are null, then they are admitted (the domain types them as absent or null)', () => {
    const result = decodeEvent(stored('employee.assigned', { employeeId: 'e-1', teamId: 't-1', hourlyCost: null, effectiveFrom: null }));
    if (!result.ok || result.event.type !== 'employee.assigned') throw new Error('expected a decoded employee.assigned');
    expect(result.event.data.effectiveFrom ?? 'the event time').toBe('the event time');
    expect(result.event.data.hourlyCost ?? null).toBeNull();
  });

  it('given data that breaks the contract, then the errors of validateStoredEventData, and no event', () => {
    const data = { outputId: 'o-1', employeeId: 'e-1', minutesSpent: 1441 };
    expect(decodeEvent(stored('ai.output.corrected', data))).toEqual({ ok: false, errors: validateStoredEventData('ai.output.corrected', data) });
    expect(decodeEvent(stored('ai.output.corrected', data))).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'FIELD.OUT_OF_RANGE', field: 'data.minutesSpent' })] });
  });

  it('given a type the contract does not know, then EVENT.UNKNOWN_TYPE', () => {
    expect(decodeEvent(stored('ai.output.praised', {}))).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'EVENT.UNKNOWN_TYPE' })] });
  });
});
