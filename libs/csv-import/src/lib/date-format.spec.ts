import { CsvImportError } from './csv-import.errors';
import { createDateParser, parseIsoDate } from './date-format';

const ok = (iso: string) => ({ ok: true, iso });

describe('ISO 8601 dates (no --date-format)', () => {
  it.each([
    ['2026-03-01', '2026-03-01T00:00:00Z'],
    ['2026-03-01T09:30', '2026-03-01T09:30:00Z'],
    ['2026-03-01 09:30:15', '2026-03-01T09:30:15Z'],
    ['2026-03-01T09:30:15.25Z', '2026-03-01T09:30:15.250Z'],
    ['2026-03-01T09:30:00+02:00', '2026-03-01T07:30:00Z'],
    ['2026-03-01T00:30:00-0530', '2026-03-01T06:00:00Z'],
    ['2026-03-01t23:00:00+01', '2026-03-01T22:00:00Z'],
    ['  2026-02-28  ', '2026-02-28T00:00:00Z'],
  ])('given %p, then it is the instant %p (UTC unless it carries an offset)', (value, iso) => {
    expect(parseIsoDate(value)).toEqual(ok(iso));
  });

  it.each([
    ['2026-02-30', 'day 30 of month 2'],
    ['2026-13-01', 'month 13'],
    ['2026-03-01T24:00', 'not a time of day'],
    ['01/03/2026', 'not an ISO 8601 date'],
    ['2026-03-01T09:30+25:00', 'not a UTC offset'],
    ['', 'not an ISO 8601 date'],
  ])('given %p, then it is refused (%s)', (value, reason) => {
    const result = parseIsoDate(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('--date-format', () => {
  it.each([
    ['DD/MM/YYYY', '05/03/2026', '2026-03-05T00:00:00Z'],
    ['DD/MM/YYYY', '5/3/2026', '2026-03-05T00:00:00Z'],
    ['MM/DD/YYYY HH:mm', '03/05/2026 14:07', '2026-03-05T14:07:00Z'],
    ['DD.MM.YYYY HH:mm:ss', '29.02.2028 23:59:59', '2028-02-29T23:59:59Z'],
    ['DD.MM.YYYY HH:mm:ss', '29.02.2028 23:59:59.5', '2028-02-29T23:59:59.500Z'],
    ['YYYYMMDD', '20260305', '2026-03-05T00:00:00Z'],
    ['DD/MM/YYYY HH:mm', '05/03/2026 09:00 +01:00', '2026-03-05T08:00:00Z'],
    ['DD/MM/YYYY HH:mm', '05/03/2026 09:00Z', '2026-03-05T09:00:00Z'],
    ['YYYY-MM-DDTHH:mm', '2026-03-05T09:00', '2026-03-05T09:00:00Z'],
  ])('given the format %p and %p, then it is %p', (format, value, iso) => {
    expect(createDateParser(format)(value)).toEqual(ok(iso));
  });

  it.each([
    ['DD/MM/YYYY', '2026-03-05', 'not a date in the format DD/MM/YYYY: "2026-03-05"'],
    ['DD/MM/YYYY', '31/04/2026', 'not a date: day 31 of month 4 in "31/04/2026"'],
    ['DD/MM/YYYY', '29/02/2026', 'not a date: day 29 of month 2 in "29/02/2026"'],
    ['DD/MM/YYYY HH:mm', '05/03/2026 9:60', 'not a time of day in "05/03/2026 9:60"'],
    ['DD/MM/YYYY', '05/03/2026 extra', 'not a date in the format DD/MM/YYYY: "05/03/2026 extra"'],
  ])('given the format %p and %p, then it is refused: %s', (format, value, reason) => {
    expect(createDateParser(format)(value)).toEqual({ ok: false, reason });
  });

  it.each([
    ['DD/MM', '--date-format "DD/MM" needs YYYY (tokens: YYYY MM DD HH mm ss)'],
    ['YYYY-MM-DD mm', '--date-format "YYYY-MM-DD mm" has minutes or seconds without HH'],
    ['YYYY-MM-DD DD', '--date-format "YYYY-MM-DD DD" has DD twice'],
  ])('given the format %p, then it cannot be used: %s', (format, message) => {
    expect(() => createDateParser(format)).toThrow(new CsvImportError('CSV.BAD_DATE_FORMAT', message, 'date-format'));
  });

  it('given no format, then dates are ISO 8601', () => {
    expect(createDateParser(undefined)).toBe(parseIsoDate);
    expect(createDateParser(' ')('2026-03-05')).toEqual(ok('2026-03-05T00:00:00Z'));
  });
});
