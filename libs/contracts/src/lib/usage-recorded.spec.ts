import { streamNameFor } from '@rework-ledger/domain';
import { validateEvent, validateStoredEventData } from './event-validator';
import { buildEventSchemas } from './json-schemas';
import { INVALID_USAGE_DATA, usageData, VALID_USAGE_DATA } from './usage-recorded.test-support';

const credentials = { fromCredentials: 'acme' } as const;
const base = { specversion: '1.0', id: 'u-1', source: 'urn:copilot-import', type: 'ai.usage.recorded', time: '2026-03-02T10:00:00Z' };

describe('ai.usage.recorded (event contract v1)', () => {
  it.each(VALID_USAGE_DATA.map((data, i) => [i, data]))('given valid usage data #%s, then the event is accepted', (_, data) => {
    expect(validateEvent({ ...base, data }, credentials)).toMatchObject({ ok: true, event: { type: 'ai.usage.recorded' } });
    expect(validateStoredEventData('ai.usage.recorded', data)).toEqual([]);
  });

  it.each(INVALID_USAGE_DATA)('given %s, then it is rejected naming the field and the rule', (_, data, code, field) => {
    const result = validateEvent({ ...base, data }, credentials);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toContainEqual(expect.objectContaining({ code, field }));
    expect(validateStoredEventData('ai.usage.recorded', data)).toContainEqual(expect.objectContaining({ code, field }));
  });

  it('is appended to the usage stream of its employee', () => {
    expect(streamNameFor('ai.usage.recorded', usageData())).toBe('usage-e-1');
  });

  it('has a JSON Schema that states the bounds and the rules across fields', () => {
    const data = (buildEventSchemas()['ai.usage.recorded'] as any).properties.data;
    expect(data.required).toEqual(expect.arrayContaining(['employeeId', 'tool', 'day', 'usageKey']));
    expect(data.required).not.toContain('currency');
    expect(data.properties.requests).toMatchObject({ minimum: 0, maximum: 1e12 });
    expect(data.properties.cost).toMatchObject({ type: 'number', minimum: 0, maximum: 1e9 });
    expect(data.properties.day).toMatchObject({ type: 'string', format: 'date' });
    expect(data.properties.cumulative).toMatchObject({ type: 'boolean' });
    expect(data.anyOf).toContainEqual({ required: ['credits'] });
    expect(data.dependentRequired).toEqual({ cost: ['currency'] });
    expect(data.then).toEqual({ required: ['series', 'seriesStart'] });
  });
});
