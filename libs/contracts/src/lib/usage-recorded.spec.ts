import { streamNameFor } from '@rework-ledger/domain';
import { validateEvent, validateStoredEventData } from './event-validator';
import { buildEventSchemas } from './json-schemas';

const credentials = { fromCredentials: 'acme' } as const;
const base = { specversion: '1.0', id: 'u-1', source: 'urn:copilot-import', type: 'ai.usage.recorded', time: '2026-03-02T10:00:00Z' };
const usage = (data: Record<string, unknown> = {}) => ({ employeeId: 'e-1', tool: 'github-copilot', day: '2026-03-01', usageKey: 'acme/e-1/2026-03-01', requests: 3, ...data });

/** Valid and invalid `data` of ai.usage.recorded, with the error each invalid one gets (also read by parity tests). */
export const VALID_USAGE_DATA: readonly Record<string, unknown>[] = [
  usage(),
  usage({ teamId: 't', model: 'gpt-4o', suggestions: 10, acceptances: 4, linesSuggested: 40, linesAccepted: 12, inputTokens: 1e12, outputTokens: 0, credits: 1e9 }),
  usage({ requests: undefined, cost: 1e9, currency: 'USD' }),
  usage({ requests: undefined, credits: 0.5 }),
  usage({ requests: undefined, inputTokens: 1200, series: 'claude_code.token.usage|svc|e-1|input', seriesStart: '2026-03-01T08:00:00Z', cumulative: true }),
  usage({ cumulative: false, teamId: null, model: null }),
  usage({ day: '2028-02-29' }),
];

export const INVALID_USAGE_DATA: readonly (readonly [string, Record<string, unknown>, string, string])[] = [
  ['no figure at all', usage({ requests: undefined }), 'FIELD.REQUIRED', 'data'],
  ['only null figures', usage({ requests: null, cost: null }), 'FIELD.REQUIRED', 'data'],
  ['a missing usageKey', usage({ usageKey: undefined }), 'FIELD.REQUIRED', 'data.usageKey'],
  ['a missing day', usage({ day: undefined }), 'FIELD.REQUIRED', 'data.day'],
  ['a day with a time', usage({ day: '2026-03-01T00:00:00Z' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['an impossible day', usage({ day: '2026-02-30' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['a day before 1970', usage({ day: '1969-12-31' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['a fractional count', usage({ requests: 1.5 }), 'FIELD.NOT_AN_INTEGER', 'data.requests'],
  ['a count over 10^12', usage({ suggestions: 1e12 + 1 }), 'FIELD.OUT_OF_RANGE', 'data.suggestions'],
  ['tokens over 10^12', usage({ outputTokens: 2e12 }), 'FIELD.OUT_OF_RANGE', 'data.outputTokens'],
  ['a negative count', usage({ acceptances: -1 }), 'FIELD.OUT_OF_RANGE', 'data.acceptances'],
  ['a cost over 10^9', usage({ cost: 1e9 + 1, currency: 'USD' }), 'FIELD.OUT_OF_RANGE', 'data.cost'],
  ['credits over 10^9', usage({ credits: 2e9 }), 'FIELD.OUT_OF_RANGE', 'data.credits'],
  ['a cost without currency', usage({ cost: 3 }), 'FIELD.REQUIRED', 'data.currency'],
  ['a currency that is not ISO 4217', usage({ cost: 3, currency: 'dollars' }), 'FIELD.NOT_A_CURRENCY', 'data.currency'],
  ['a cumulative point without its series', usage({ cumulative: true, seriesStart: '2026-03-01T00:00:00Z' }), 'FIELD.REQUIRED', 'data.series'],
  ['a cumulative point without its start', usage({ cumulative: true, series: 's' }), 'FIELD.REQUIRED', 'data.seriesStart'],
  ['a seriesStart that is not RFC 3339', usage({ cumulative: true, series: 's', seriesStart: 'yesterday' }), 'FIELD.NOT_RFC3339', 'data.seriesStart'],
  ['a seriesStart out of range', usage({ cumulative: true, series: 's', seriesStart: '1969-01-01T00:00:00Z' }), 'FIELD.OUT_OF_RANGE', 'data.seriesStart'],
  ['cumulative not a boolean', usage({ cumulative: 'yes' }), 'FIELD.NOT_A_BOOLEAN', 'data.cumulative'],
  ['a usageKey PostgreSQL could not index', usage({ usageKey: '鍵'.repeat(1000) }), 'FIELD.TOO_LONG', 'data.usageKey'],
  ['an empty tool', usage({ tool: '' }), 'FIELD.EMPTY', 'data.tool'],
];

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
    expect(streamNameFor('ai.usage.recorded', usage())).toBe('usage-e-1');
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
