import type { ReworkRow } from './api-types';
import { defaultBucket, operationsHeadline, periodRange, reworkQuery } from './period';

const row = (group: string | null, lostHours: number): ReworkRow => ({
  group,
  bucket: null,
  outputs: 1000,
  reworkedOutputs: 183,
  reworkRate: 0.183,
  doubleCheckRate: 0.1,
  corrections: 100,
  rewrites: 50,
  doubleChecks: 100,
  discards: 33,
  reworkMinutes: lostHours * 60,
  lostHours,
  lostCost: lostHours * 60,
  grossSavedHours: 500,
  netSavedHours: 500 - lostHours,
});

describe('periods and the operations headline', () => {
  it('given a time of day, then the period ends at the next UTC midnight and spans whole days', () => {
    expect(periodRange(90, new Date('2025-07-01T15:30:00Z'))).toEqual({ from: '2025-04-03T00:00:00.000Z', to: '2025-07-02T00:00:00.000Z' });
  });

  it('given a bucket, then the period starts with a whole bucket: the Monday of its first week, the 1st of its first month', () => {
    expect(periodRange(90, new Date('2025-07-01T15:30:00Z'), 'week').from).toBe('2025-03-31T00:00:00.000Z');
    expect(periodRange(365, new Date('2025-07-01T15:30:00Z'), 'month').from).toBe('2024-07-01T00:00:00.000Z');
    expect(periodRange(30, new Date('2025-07-01T15:30:00Z'), 'day').from).toBe('2025-06-02T00:00:00.000Z');
  });

  it('picks days for a month, weeks up to half a year and months beyond', () => {
    expect([30, 90, 182, 365].map(defaultBucket)).toEqual(['day', 'week', 'week', 'month']);
  });

  it('builds the metrics query with only the parameters given', () => {
    expect(reworkQuery({ from: 'a', to: 'b', groupBy: 'team', team: 'platform' })).toBe('from=a&to=b&groupBy=team&team=platform');
  });

  it('says how much rework cost, what AI saved and where most time is lost', () => {
    expect(operationsHeadline(row(null, 120), 'EUR', 'In the last 90 days', [row('platform', 80), row('sales', 40)])).toBe(
      'In the last 90 days, 18.3% of 1,000 AI outputs in your organisation needed rework: 120 hours (€7,200) lost. ' +
        'AI saved an estimated 500 hours, 380 hours after rework. The most time is lost in team platform (80 hours).',
    );
    expect(operationsHeadline(undefined, 'EUR', 'In the last 90 days', [], 'sales')).toBe('No AI outputs were recorded for team sales in this period.');
  });
});
