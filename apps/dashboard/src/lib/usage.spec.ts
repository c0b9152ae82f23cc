import type { UsageRow } from './api-types';
import { withheldNote } from './privacy-note';
import { activeUsersLabel, addSpend, combineUsageRows, formatSpend, formatSpendAmount, hasUsage, usageGroupBy, usageQuery } from './usage';

const row = (group: string | null, bucket: string | null, figures: Partial<UsageRow> = {}): UsageRow => ({
  group,
  bucket,
  activeUsers: 0,
  requests: 0,
  suggestions: 0,
  acceptances: 0,
  acceptanceRate: null,
  linesSuggested: 0,
  linesAccepted: 0,
  inputTokens: 0,
  outputTokens: 0,
  spend: [],
  credits: 0,
  ...figures,
});

describe('usage on the operations view', () => {
  it('never asks usage by task type (the API has none and answers 400), and keeps the other groupings', () => {
    expect(usageGroupBy('taskType')).toBeNull();
    expect(usageGroupBy('team')).toBe('team');
    expect(usageGroupBy('tool')).toBe('tool');
    expect(usageGroupBy('model')).toBe('model');
    expect(usageQuery({ from: '2026-03-01', to: '2026-04-01', groupBy: null, team: 'platform' })).toBe('from=2026-03-01&to=2026-04-01&team=platform');
    expect(usageQuery({ from: '2026-03-01', to: '2026-04-01', groupBy: 'tool' })).toBe('from=2026-03-01&to=2026-04-01&groupBy=tool');
  });

  it('adds spend per currency, never across currencies, in alphabetical order', () => {
    expect(addSpend([{ currency: 'USD', amount: 10 }], [{ currency: 'EUR', amount: 2.5 }, { currency: 'USD', amount: 5 }], null)).toEqual([
      { currency: 'EUR', amount: 2.5 },
      { currency: 'USD', amount: 15 },
    ]);
    expect(addSpend()).toEqual([]);
  });

  it('writes each currency apart: whole units from 100 up, cents below, a code without a symbol by its code', () => {
    expect(formatSpend([{ currency: 'EUR', amount: 3.4 }, { currency: 'USD', amount: 1234.56 }])).toBe('€3.40 · $1,235');
    expect(formatSpendAmount({ currency: 'XYZ', amount: 1200 })).toMatch(/^XYZ\s1,200$/);
    expect(formatSpend([])).toBe('–');
    expect(formatSpend(null)).toBe('–');
  });

  it('combines the months of a group: sums added, acceptance recomputed, active users the most of one month', () => {
    const combined = combineUsageRows([
      row('platform', '2026-02-01T00:00:00.000Z', { activeUsers: 6, requests: 10, suggestions: 100, acceptances: 30, credits: 1, spend: [{ currency: 'USD', amount: 4 }] }),
      row('support', '2026-02-01T00:00:00.000Z', { activeUsers: 5, requests: 3 }),
      row('platform', '2026-03-01T00:00:00.000Z', { activeUsers: 8, requests: 5, suggestions: 100, acceptances: 10, credits: 2, spend: [{ currency: 'EUR', amount: 1 }, { currency: 'USD', amount: 6 }] }),
    ]);
    expect(combined).toEqual([
      { group: 'platform', activeUsers: 8, requests: 15, suggestions: 200, acceptances: 40, acceptanceRate: 0.2, credits: 3, spend: [{ currency: 'EUR', amount: 1 }, { currency: 'USD', amount: 10 }], buckets: 2 },
      { group: 'support', activeUsers: 5, requests: 3, suggestions: 0, acceptances: 0, acceptanceRate: null, credits: 0, spend: [], buckets: 1 },
    ]);
    expect(activeUsersLabel(combined[0])).toBe('Active users (most in a month)');
    expect(activeUsersLabel(combined[1])).toBe('Active users');
  });

  it('tells whether any usage was recorded, counting what was withheld', () => {
    expect(hasUsage({ rows: [], suppressed: null })).toBe(false);
    expect(hasUsage({ rows: [row(null, null, { activeUsers: 1 })], suppressed: null })).toBe(true);
    const withheld = { ...row(null, null), group: undefined, bucket: undefined, rows: 1, activeUsers: null, spend: null, reason: 'WITHHELD.SMALL_REMAINDER' as const };
    expect(hasUsage({ rows: [], suppressed: withheld as never })).toBe(true);
  });

  it('says what a usage answer withheld, by its active users (it has no outputs)', () => {
    const shown = { ...row(null, null, { activeUsers: 7 }), rows: 2 };
    expect(withheldNote({ suppressed: shown })).toBe('Figures of 2 groups withheld to protect small groups (their sum is shown as one row).');
    expect(withheldNote({ suppressed: { ...shown, activeUsers: null, rows: 1 } })).toBe('Figures of 1 group withheld to protect small groups (even their sum would show too few people).');
  });
});
