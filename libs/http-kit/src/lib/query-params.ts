import { LedgerError } from '@rework-ledger/domain';

/** A query-string parameter that breaks its rule: 400 with the parameter as `field`. */
export class InvalidParameterError extends LedgerError {
  constructor(field: string, message: string) {
    super('REQUEST.INVALID_PARAMETER', message, field);
  }
}

/**
 * The years a time parameter may name. Nothing the ledger holds is older than 1970 (events are from AI tools), and a
 * four-digit year keeps every date PostgreSQL, JavaScript and the week/month arithmetic of the queries can handle.
 */
export const TIME_PARAM_YEARS = { min: 1970, max: 9999 } as const;

// A date, or a date and time with seconds, optional fraction, and a zone (RFC 3339 §5.6; ' ' for 'T' as §5.6 allows).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2})))?$/;

/** Days in a month of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An RFC 3339 timestamp or a date (midnight UTC) parameter, or the fallback when absent. 400 for another shape, an
 * impossible calendar date or time (2026-02-30, 24:00), or a year outside TIME_PARAM_YEARS.
 */
export function parseTimestampParam(name: string, value: string | undefined, fallback: Date): Date {
  if (value === undefined || value === '') return fallback;
  const match = RFC3339.exec(value);
  if (!match) throw new InvalidParameterError(name, `${name} must be an RFC 3339 timestamp or a date (YYYY-MM-DD)`);
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 8, 9].map((group) => Number(match[group] ?? 0));
  const calendar = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  if (!calendar || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    throw new InvalidParameterError(name, `${name} is not a date of the calendar: ${value}`);
  }
  const time = Date.parse(value.replace(' ', 'T'));
  const parsedYear = new Date(time).getUTCFullYear();
  if (Number.isNaN(time) || year < TIME_PARAM_YEARS.min || year > TIME_PARAM_YEARS.max || parsedYear < TIME_PARAM_YEARS.min || parsedYear > TIME_PARAM_YEARS.max) {
    throw new InvalidParameterError(name, `${name} must be within the years ${TIME_PARAM_YEARS.min} to ${TIME_PARAM_YEARS.max}`);
  }
  return new Date(time);
}

/** One of the allowed values, or undefined when absent. */
export function parseEnumParam<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidParameterError(name, `${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}
