import { InvalidParameterError, parseTimestampParam } from './query-params';

const fallback = new Date('2026-01-01T00:00:00Z');

describe('parseTimestampParam', () => {
  it.each([
    ['2026-03-02', '2026-03-02T00:00:00.000Z'],
    ['2026-03-02T10:15:30Z', '2026-03-02T10:15:30.000Z'],
    ['2026-03-02T10:15:30.123+02:00', '2026-03-02T08:15:30.123Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['1970-01-01', '1970-01-01T00:00:00.000Z'],
    ['9999-12-31', '9999-12-31T00:00:00.000Z'],
  ])('given %s, then it reads %s', (value, expected) => {
    expect(parseTimestampParam('from', value, fallback).toISOString()).toBe(expected);
  });

  it('given nothing, then the fallback', () => {
    expect(parseTimestampParam('from', undefined, fallback)).toBe(fallback);
    expect(parseTimestampParam('from', '', fallback)).toBe(fallback);
  });

  it.each([
    ['an impossible day', '2026-02-30', 'not a date of the calendar'],
    ['the 29th of February of a common year', '2026-02-29', 'not a date of the calendar'],
    ['month 13', '2026-13-01', 'not a date of the calendar'],
    ['hour 24', '2026-03-02T24:00:00Z', 'not a date of the calendar'],
    ['year 0', '0000-01-01', 'within the years 1970 to 9999'],
    ['year 1', '0001-01-02', 'within the years 1970 to 9999'],
    ['1969', '1969-12-31', 'within the years 1970 to 9999'],
    ['an offset that leaves the range', '1970-01-01T00:30:00+01:00', 'within the years 1970 to 9999'],
    ['a time without a zone', '2026-03-02T10:00:00', 'RFC 3339'],
    ['a word', 'yesterday', 'RFC 3339'],
    ['a date with trailing text', '2026-03-02garbage', 'RFC 3339'],
    ['a NUL', '2026-03-02\u0000', 'RFC 3339'],
  ])('given %s (%s), then 400 REQUEST.INVALID_PARAMETER naming the parameter', (_, value, message) => {
    let error: unknown;
    try {
      parseTimestampParam('from', value, fallback);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as InvalidParameterError).toJSON()).toEqual({ code: 'REQUEST.INVALID_PARAMETER', field: 'from', message: expect.stringContaining(message) });
  });
});
