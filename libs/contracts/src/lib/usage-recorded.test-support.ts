// Examples of the data of ai.usage.recorded, valid and invalid with the error each gets: read by the contract's tests
// (and by any test that compares validators over every event type).

export const usageData = (data: Record<string, unknown> = {}) => ({ employeeId: 'e-1', tool: 'github-copilot', day: '2026-03-01', usageKey: 'acme/e-1/2026-03-01', requests: 3, ...data });

/** Valid and invalid `data` of ai.usage.recorded, with the error each invalid one gets (also read by parity tests). */
export const VALID_USAGE_DATA: readonly Record<string, unknown>[] = [
  usageData(),
  usageData({ teamId: 't', model: 'gpt-4o', suggestions: 10, acceptances: 4, linesSuggested: 40, linesAccepted: 12, inputTokens: 1e12, outputTokens: 0, credits: 1e9 }),
  usageData({ requests: undefined, cost: 1e9, currency: 'USD' }),
  usageData({ requests: undefined, credits: 0.5 }),
  usageData({ requests: undefined, inputTokens: 1200, series: 'claude_code.token.usage|svc|e-1|input', seriesStart: '2026-03-01T08:00:00Z', cumulative: true }),
  usageData({ cumulative: false, teamId: null, model: null }),
  usageData({ day: '2028-02-29' }),
];

export const INVALID_USAGE_DATA: readonly (readonly [string, Record<string, unknown>, string, string])[] = [
  ['no figure at all', usageData({ requests: undefined }), 'FIELD.REQUIRED', 'data'],
  ['only null figures', usageData({ requests: null, cost: null }), 'FIELD.REQUIRED', 'data'],
  ['a missing usageKey', usageData({ usageKey: undefined }), 'FIELD.REQUIRED', 'data.usageKey'],
  ['a missing day', usageData({ day: undefined }), 'FIELD.REQUIRED', 'data.day'],
  ['a day with a time', usageData({ day: '2026-03-01T00:00:00Z' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['an impossible day', usageData({ day: '2026-02-30' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['a day before 1970', usageData({ day: '1969-12-31' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['a month 13', usageData({ day: '2026-13-01' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['a day 32', usageData({ day: '2026-01-32' }), 'FIELD.NOT_A_DAY', 'data.day'],
  ['a fractional count', usageData({ requests: 1.5 }), 'FIELD.NOT_AN_INTEGER', 'data.requests'],
  ['a count over 10^12', usageData({ suggestions: 1e12 + 1 }), 'FIELD.OUT_OF_RANGE', 'data.suggestions'],
  ['tokens over 10^12', usageData({ outputTokens: 2e12 }), 'FIELD.OUT_OF_RANGE', 'data.outputTokens'],
  ['a negative count', usageData({ acceptances: -1 }), 'FIELD.OUT_OF_RANGE', 'data.acceptances'],
  ['a cost over 10^9', usageData({ cost: 1e9 + 1, currency: 'USD' }), 'FIELD.OUT_OF_RANGE', 'data.cost'],
  ['credits over 10^9', usageData({ credits: 2e9 }), 'FIELD.OUT_OF_RANGE', 'data.credits'],
  ['a cost without currency', usageData({ cost: 3 }), 'FIELD.REQUIRED', 'data.currency'],
  ['a currency that is not ISO 4217', usageData({ cost: 3, currency: 'dollars' }), 'FIELD.NOT_A_CURRENCY', 'data.currency'],
  ['a cumulative point without its series', usageData({ cumulative: true, seriesStart: '2026-03-01T00:00:00Z' }), 'FIELD.REQUIRED', 'data.series'],
  ['a cumulative point without its start', usageData({ cumulative: true, series: 's' }), 'FIELD.REQUIRED', 'data.seriesStart'],
  ['a seriesStart that is not RFC 3339', usageData({ cumulative: true, series: 's', seriesStart: 'yesterday' }), 'FIELD.NOT_RFC3339', 'data.seriesStart'],
  ['a seriesStart out of range', usageData({ cumulative: true, series: 's', seriesStart: '1969-01-01T00:00:00Z' }), 'FIELD.OUT_OF_RANGE', 'data.seriesStart'],
  ['cumulative not a boolean', usageData({ cumulative: 'yes' }), 'FIELD.NOT_A_BOOLEAN', 'data.cumulative'],
  ['a usageKey PostgreSQL could not index', usageData({ usageKey: '鍵'.repeat(1000) }), 'FIELD.TOO_LONG', 'data.usageKey'],
  ['an empty tool', usageData({ tool: '' }), 'FIELD.EMPTY', 'data.tool'],
];
