import { isUtcDay } from './event-data';

// isUtcDay counts the calendar; JavaScript's Date is the reference: a day is real when formatting its parse gives it back.

/** The rule as first written: parse the day at midnight UTC, and format it again. */
function byDate(value: string): boolean {
  if (!/^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isUtcDay (the rule of a usage event’s day)', () => {
  it('given every month 00–99 and day 00–99 of years of each kind (leap or not, centuries), then it agrees with Date', () => {
    let real = 0;
    for (const year of [1970, 1972, 1999, 2000, 2023, 2024, 2100, 2400, 9996, 9999]) {
      for (let month = 0; month <= 99; month++) {
        for (let day = 0; day <= 99; day++) {
          const value = `${year}-${pad(month, 2)}-${pad(day, 2)}`;
          if (isUtcDay(value) !== byDate(value)) throw new Error(`${value}: ${isUtcDay(value)}, Date says ${byDate(value)}`);
          if (byDate(value)) real++;
        }
      }
    }
    // Five leap years (1972, 2000, 2024, 2400, 9996) and five others.
    expect(real).toBe(5 * 366 + 5 * 365);
  });

  it('given the ends of February, April and December of every year from 1970 to 9999, then it agrees with Date', () => {
    for (let year = 1970; year <= 9999; year++) {
      for (const [month, days] of [[2, [28, 29, 30]], [4, [30, 31]], [12, [31, 32]]] as const) {
        for (const day of days) {
          const value = `${year}-${pad(month, 2)}-${pad(day, 2)}`;
          if (isUtcDay(value) !== byDate(value)) throw new Error(`${value}: ${isUtcDay(value)}, Date says ${byDate(value)}`);
        }
      }
    }
  });

  it('given what is not a day YYYY-MM-DD from 1970, then it refuses it', () => {
    for (const value of ['1969-12-31', '2026-3-1', '2026-03-01T00:00:00Z', ' 2026-03-01', '10000-01-01', '', 20260301, null, undefined, new String('2026-03-01')]) {
      expect(isUtcDay(value)).toBe(false);
    }
  });
});
