import { LedgerError } from '@rework-ledger/domain';

/** A query-string parameter that breaks its rule: 400 with the parameter as `field`. */
export class InvalidParameterError extends LedgerError {
  constructor(field: string, message: string) {
    super('REQUEST.INVALID_PARAMETER', message, field);
  }
}

/** An RFC 3339 timestamp parameter, or the fallback when absent. */
export function parseTimestampParam(name: string, value: string | undefined, fallback: Date): Date {
  if (value === undefined || value === '') return fallback;
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) throw new InvalidParameterError(name, `${name} must be an RFC 3339 timestamp or a date (YYYY-MM-DD)`);
  return new Date(time);
}

/** One of the allowed values, or undefined when absent. */
export function parseEnumParam<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidParameterError(name, `${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}
