// Dates of HR and LMS exports → RFC 3339 instants: ISO 8601 by default, or a `--date-format` of tokens.
import { CsvImportError } from './csv-import.errors';

/** A cell read as an instant (RFC 3339, UTC), or why it is not one. */
export type DateResult = Readonly<{ ok: true; iso: string }> | Readonly<{ ok: false; reason: string }>;

export type DateParser = (value: string) => DateResult;

/** The tokens of `--date-format`; anything else in it is literal text. */
const TOKENS = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];

/** A trailing UTC offset: `Z`, `+02:00`, `+0200` or `+02`. Without one a value is UTC. */
const OFFSET = '(?:\\s*(Z|[+-]\\d{2}(?::?\\d{2})?))?';
const ISO_8601 = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?${OFFSET})?$`, 'i');

type Parts = { YYYY: number; MM: number; DD: number; HH: number; mm: number; ss: number; ms: number; offset?: string };

/** Minutes east of UTC of an offset (`Z`, `+02:00`, `-0530`, `+02`), or undefined when it is out of range. */
function offsetMinutes(offset: string | undefined): number | undefined {
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/** The instant of the parts, checked field by field (no 31 April, no 25 o'clock). */
function instantOf(parts: Parts, value: string): DateResult {
  const { YYYY, MM, DD, HH, mm, ss, ms } = parts;
  if (MM < 1 || MM > 12) return { ok: false, reason: `not a date: month ${MM} in "${value}"` };
  const daysInMonth = new Date(Date.UTC(YYYY, MM, 0)).getUTCDate();
  if (DD < 1 || DD > daysInMonth) return { ok: false, reason: `not a date: day ${DD} of month ${MM} in "${value}"` };
  if (HH > 23 || mm > 59 || ss > 59) return { ok: false, reason: `not a time of day in "${value}"` };
  const offset = offsetMinutes(parts.offset);
  if (offset === undefined) return { ok: false, reason: `not a UTC offset: "${parts.offset}" in "${value}"` };
  const at = new Date(0);
  at.setUTCFullYear(YYYY, MM - 1, DD);
  at.setUTCHours(HH, mm, ss, ms);
  return { ok: true, iso: new Date(at.getTime() - offset * 60_000).toISOString().replace('.000Z', 'Z') };
}

/** Fractional seconds (any number of digits) as whole milliseconds. */
function millis(fraction: string | undefined): number {
  return fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
}

/** ISO 8601 as exports write it: `2026-03-01`, `2026-03-01T09:30`, `2026-03-01 09:30:00.5+01:00`; UTC without an offset. */
export function parseIsoDate(raw: string): DateResult {
  const value = raw.trim();
  const match = ISO_8601.exec(value);
  if (!match) return { ok: false, reason: `not an ISO 8601 date: "${value}" (expected YYYY-MM-DD, optionally THH:mm[:ss] and an offset; or give --date-format)` };
  const [, YYYY, MM, DD, HH, mm, ss, fraction, offset] = match;
  return instantOf({ YYYY: +YYYY, MM: +MM, DD: +DD, HH: +(HH ?? 0), mm: +(mm ?? 0), ss: +(ss ?? 0), ms: millis(fraction), ...(offset ? { offset } : {}) }, value);
}

/**
 * A parser for `--date-format` (tokens `YYYY MM DD HH mm ss`, e.g. `DD/MM/YYYY HH:mm`): every other character is
 * literal; MM, DD, HH, mm and ss take one or two digits (exports drop leading zeros), `ss` may carry a fraction, and a
 * trailing offset makes the value local to it (UTC without one). Without a format, ISO 8601.
 */
export function createDateParser(format?: string): DateParser {
  if (format === undefined || format.trim() === '') return parseIsoDate;
  const order: Token[] = [];
  let pattern = '';
  for (let at = 0; at < format.length; ) {
    const token = TOKENS.find((candidate) => format.startsWith(candidate, at));
    if (token === undefined) {
      pattern += /\s/.test(format[at]) ? '\\s+' : format[at].replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      at += 1;
      continue;
    }
    if (order.includes(token)) throw new CsvImportError('CSV.BAD_DATE_FORMAT', `--date-format "${format}" has ${token} twice`, 'date-format');
    order.push(token);
    pattern += token === 'YYYY' ? '(\\d{4})' : token === 'ss' ? '(\\d{1,2}(?:[.,]\\d{1,9})?)' : '(\\d{1,2})';
    at += token.length;
  }
  const missing = (['YYYY', 'MM', 'DD'] as const).filter((token) => !order.includes(token));
  if (missing.length > 0) throw new CsvImportError('CSV.BAD_DATE_FORMAT', `--date-format "${format}" needs ${missing.join(', ')} (tokens: ${TOKENS.join(' ')})`, 'date-format');
  if ((order.includes('mm') || order.includes('ss')) && !order.includes('HH')) throw new CsvImportError('CSV.BAD_DATE_FORMAT', `--date-format "${format}" has minutes or seconds without HH`, 'date-format');
  const regex = new RegExp(`^${pattern}${OFFSET}$`, 'i');
  return (raw) => {
    const value = raw.trim();
    const match = regex.exec(value);
    if (!match) return { ok: false, reason: `not a date in the format ${format}: "${value}"` };
    const parts: Parts = { YYYY: 0, MM: 0, DD: 0, HH: 0, mm: 0, ss: 0, ms: 0 };
    order.forEach((token, index) => {
      const text = match[index + 1];
      if (token === 'ss') {
        const [whole, fraction] = text.split(/[.,]/);
        parts.ss = +whole;
        parts.ms = millis(fraction);
      } else {
        parts[token] = +text;
      }
    });
    const offset = match[order.length + 1];
    return instantOf(offset ? { ...parts, offset } : parts, value);
  };
}
