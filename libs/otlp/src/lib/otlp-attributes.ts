// Reading OTLP attributes, times and identities: the pieces every signal's mapping shares.
import { normaliseIdentifier } from '@rework-ledger/domain';
import type { AnyValue, KeyValue } from './otlp-records';

export type AttributeValue = string | number | boolean;
export type Attributes = ReadonlyMap<string, AttributeValue>;

/** The scalar value of an AnyValue (64-bit integers as numbers); arrays, maps and bytes are not read. */
export function scalarOf(value: AnyValue | undefined): AttributeValue | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return undefined;
}

/** Key → scalar value; the last of a repeated key wins. */
export function attributesOf(list: readonly KeyValue[] | undefined): Attributes {
  const map = new Map<string, AttributeValue>();
  for (const { key, value } of list ?? []) {
    const scalar = scalarOf(value);
    if (key !== undefined && scalar !== undefined) map.set(key, scalar);
  }
  return map;
}

/** A non-empty string attribute (numbers as their decimal form), else undefined. */
export function text(attributes: Attributes, key: string): string | undefined {
  const value = attributes.get(key);
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A finite number attribute (numeric strings too), else undefined. */
export function numeric(attributes: Attributes, key: string): number | undefined {
  const value = attributes.get(key);
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
}

/** A boolean attribute (also "true"/"false" strings), else undefined. */
export function flag(attributes: Attributes, key: string): boolean | undefined {
  const value = attributes.get(key);
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** The first key's text, in order. */
export function firstText(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = text(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * Who a record is about, in this order (PRODUCT.md, "Connectors"): `user.id` last, as Claude Code's is an anonymous
 * per-installation id.
 */
export const PERSON_ATTRIBUTES = ['user.email', 'enduser.id', 'user.account_uuid', 'user.id'] as const;

/** The person of a record: the first person attribute on the record, else on its resource; normalised. */
export function personOf(record: Attributes, resource: Attributes): string | undefined {
  const raw = firstText(record, PERSON_ATTRIBUTES) ?? firstText(resource, PERSON_ATTRIBUTES);
  return raw === undefined ? undefined : normaliseIdentifier(raw);
}

/** RFC 3339 (UTC, milliseconds) of a Unix time in nanoseconds; undefined for 0 or absent (OTLP's "unset"). */
export function isoTimeOf(unixNano: string | number | undefined): string | undefined {
  if (unixNano === undefined) return undefined;
  let nanos: bigint;
  try {
    nanos = BigInt(unixNano);
  } catch {
    return undefined;
  }
  if (nanos <= 0n) return undefined;
  const date = new Date(Number(nanos / 1_000_000n));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Lower-case hex of an id's bytes ('' when absent). */
export const hexOf = (bytes: Uint8Array | undefined): string => (bytes ? Buffer.from(bytes).toString('hex') : '');

/** Attributes as a sorted list of pairs: a stable key of their content. */
export const sortedPairs = (attributes: Attributes): [string, AttributeValue][] => [...attributes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
