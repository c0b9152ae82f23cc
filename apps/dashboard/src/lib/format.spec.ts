import { formatBucket, formatCount, formatDays, formatHorizon, formatHours, formatMoney, formatPoints, formatPointsInterval, formatRate, formatRoi, formatRoiRange, formatSignedPoints, NO_VALUE } from './format';

describe('dashboard formatting', () => {
  it.each([
    [0.1834, '18.3%'],
    [0, '0.0%'],
    [1, '100.0%'],
    [null, NO_VALUE],
  ])('given the rate %p, then it shows %p', (rate, shown) => {
    expect(formatRate(rate)).toBe(shown);
  });

  it('shows counts with thousands separators, hours whole from 10 up and with one decimal below', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(formatHours(1234.4)).toBe('1,234 h');
    expect(formatHours(3.46)).toBe('3.5 h');
    expect(formatHours(410.2, ' hours')).toBe('410 hours');
    expect(formatHours(null)).toBe(NO_VALUE);
  });

  it('shows money in the tenant currency without cents, and an unknown code after the number', () => {
    expect(formatMoney(12340.4, 'EUR')).toBe('€12,340');
    expect(formatMoney(990, 'USD')).toBe('$990');
    expect(formatMoney(5, 'XX1')).toBe('5 XX1');
  });

  it('shows differences of rates in points, whole from 10 up, with a real minus sign when signed', () => {
    expect(formatPoints(-0.06)).toBe('6');
    expect(formatPoints(0.034)).toBe('3.4');
    expect(formatPoints(0.1234)).toBe('12');
    expect(formatSignedPoints(-0.06)).toBe('−6 pts');
    expect(formatSignedPoints(0.02)).toBe('+2 pts');
    expect(formatSignedPoints(0.0001)).toBe('0 pts');
    expect(formatPointsInterval([-0.22, -0.12])).toBe('−22 to −12 pts');
    expect(formatPointsInterval([-0.044, 0.082])).toBe('−4.4 to +8.2 pts');
  });

  it('shows ROI as whole percentages and its range with a dash, or with "to" when an end is negative', () => {
    expect(formatRoi(3.2)).toBe('320%');
    expect(formatRoi(-0.4)).toBe('−40%');
    expect(formatRoiRange([1.5, 4.8])).toBe('150–480%');
    expect(formatRoiRange([-0.4, 1.2])).toBe('−40% to 120%');
    expect(formatRoiRange(null)).toBe(NO_VALUE);
  });

  it('names the horizon and the payback period as people say them', () => {
    expect(formatHorizon(90)).toBe('a quarter');
    expect(formatHorizon(30)).toBe('a month');
    expect(formatHorizon(365)).toBe('a year');
    expect(formatHorizon(45)).toBe('over 45 days');
    expect(formatDays(37.6)).toBe('38 days');
    expect(formatDays(0.2)).toBe('1 day');
    expect(formatDays(null)).toBe(NO_VALUE);
  });

  it('labels weekly buckets by their Monday and monthly ones by month', () => {
    expect(formatBucket('2025-03-03T00:00:00.000Z', 'week')).toBe('3 Mar');
    expect(formatBucket('2025-03-01T00:00:00.000Z', 'month')).toBe('Mar 2025');
  });
});
