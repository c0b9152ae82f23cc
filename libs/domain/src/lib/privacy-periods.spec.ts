import { nextPeriodStart, periodsBetween, PRIVACY_PERIOD, privacyBucketOf, snapToPeriods } from './privacy-periods';

const d = (iso: string) => new Date(iso);

describe('privacy periods', () => {
  it('builds every answer from whole months, whatever its bucket (one hierarchy: no day or week against its month)', () => {
    expect(PRIVACY_PERIOD).toBe('month');
    expect(privacyBucketOf(undefined)).toBeUndefined();
    expect(privacyBucketOf('day')).toBe('month');
    expect(privacyBucketOf('week')).toBe('month');
  });

  it('counts the periods of a span', () => {
    expect(periodsBetween(d('2026-01-01'), d('2027-01-01'), 'month')).toBe(12);
    expect(periodsBetween(d('2026-03-01'), d('2026-03-01'), 'month')).toBe(0);
  });

  it.each([
    ['month', '2026-03-10T05:00:00Z', '2026-03-21T00:00:00Z', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ['month', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ['month', '2026-11-15T00:00:00Z', '2026-12-05T23:00:00Z', '2026-11-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    // 2026-03-11 is a Wednesday: its ISO week starts on Monday 9 March.
    ['week', '2026-03-11T12:00:00Z', '2026-03-18T00:00:01Z', '2026-03-09T00:00:00.000Z', '2026-03-23T00:00:00.000Z'],
    ['day', '2026-03-11T12:00:00Z', '2026-03-11T13:00:00Z', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z'],
  ] as const)('given %s periods, [%s, %s) widens outward to [%s, %s)', (period, from, to, snappedFrom, snappedTo) => {
    const snapped = snapToPeriods(d(from), d(to), period);
    expect([snapped.from.toISOString(), snapped.to.toISOString()]).toEqual([snappedFrom, snappedTo]);
  });

  it('gives windows a day apart the same periods (no day by difference)', () => {
    const a = snapToPeriods(d('2026-03-01'), d('2026-03-21'), 'month');
    const b = snapToPeriods(d('2026-03-02'), d('2026-03-22'), 'month');
    expect(a).toEqual(b);
  });

  it('finds the start of the next period', () => {
    expect(nextPeriodStart(d('2026-12-31T23:00:00Z'), 'month').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextPeriodStart(d('2026-03-15T00:00:00Z'), 'week').toISOString()).toBe('2026-03-16T00:00:00.000Z');
  });
});
