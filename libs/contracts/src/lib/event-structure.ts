import type { ErrorShape } from '@rework-ledger/domain';
import { MAX_EXTRA_DATA_BYTES, MAX_NESTING_DEPTH, RESERVED_PROPERTY_NAMES } from './limits';

/**
 * The rules every value of an event obeys, wherever it sits (envelope, extension attributes, `data`, fields the
 * contract does not name, at any depth) — what the store must be able to take whatever the field means:
 *
 * - no string and no property name holds a NUL (PostgreSQL's text and jsonb cannot hold it) or a lone UTF-16
 *   surrogate (not Unicode: jsonb refuses it and UTF-8 cannot encode it): `FIELD.INVALID_CHARACTERS`;
 * - no property is named `__proto__`, `constructor` or `prototype`: `FIELD.RESERVED_NAME`;
 * - nothing nests deeper than MAX_NESTING_DEPTH, the root's own properties being level 1 (an event's attributes are
 *   inspected as one root, its `data` as another, so that a stored event's data is judged as it was when sent):
 *   `EVENT.TOO_DEEP`;
 * - only JSON values (what a parser can produce): `FIELD.NOT_JSON`.
 *
 * Iterative, never recursive: an event nested 100,000 levels deep is judged without exhausting the stack.
 */
export function inspectStructure(root: Readonly<Record<string, unknown>>, prefix = '', skip?: string): ErrorShape[] {
  const errors: ErrorShape[] = [];
  const seen = new Set<string>();
  const report = (code: string, message: string, field: string) => {
    const key = `${code}\u0000${field}`;
    if (seen.has(key) || errors.length >= MAX_REPORTED) return;
    seen.add(key);
    errors.push({ code, message, field });
  };
  const visited = new WeakSet<object>();
  const pending: { value: unknown; path: string; depth: number }[] = [];
  // The root's own properties are level 1; `skip` names one that the caller inspects on its own (an event's data).
  const keys = Object.keys(root).filter((key) => key !== skip);
  inspectNames(keys, prefix, report);
  for (const key of keys) pending.push({ value: root[key], path: joinPath(prefix, key), depth: 1 });
  let tooDeep = false;
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      if (!isStorableText(value)) report('FIELD.INVALID_CHARACTERS', `${path} holds a NUL character or a lone UTF-16 surrogate`, path);
      continue;
    }
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      report('FIELD.NOT_JSON', `${path} is not a JSON value`, path);
      continue;
    }
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof Date) continue;
    if (visited.has(value)) continue;
    visited.add(value);
    const keys = Array.isArray(value) ? [] : Object.keys(value);
    if (depth >= MAX_NESTING_DEPTH && (Array.isArray(value) ? value.length > 0 : keys.length > 0)) {
      // Its items would be a level too deep. One report per event is enough: the whole branch is refused.
      if (!tooDeep) errors.push({ code: 'EVENT.TOO_DEEP', message: `values nest at most ${MAX_NESTING_DEPTH} levels deep`, field: path });
      tooDeep = true;
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    inspectNames(keys, path, report);
    for (const key of keys) pending.push({ value: (value as Record<string, unknown>)[key], path: joinPath(path, key), depth: depth + 1 });
  }
  return errors;
}

/**
 * The size, as JSON in UTF-8, of the fields of `data` the contract does not name (`known`): refused over
 * MAX_EXTRA_DATA_BYTES with `EVENT.TOO_LARGE`. Call it only on data `inspectStructure` passed (bounded depth, JSON values).
 */
export function inspectExtraSize(data: Readonly<Record<string, unknown>>, known: ReadonlySet<string>, prefix: string): ErrorShape[] {
  let bytes = 0;
  for (const key of Object.keys(data)) {
    if (known.has(key)) continue;
    // "key": value, — the bytes the field adds to the stored document.
    bytes += Buffer.byteLength(JSON.stringify(key) ?? '') + Buffer.byteLength(JSON.stringify(data[key]) ?? 'null') + 2;
    if (bytes > MAX_EXTRA_DATA_BYTES) {
      return [
        {
          code: 'EVENT.TOO_LARGE',
          message: `the fields of data the contract does not name take at most ${MAX_EXTRA_DATA_BYTES} bytes as JSON`,
          field: prefix.replace(/\.$/, ''),
        },
      ];
    }
  }
  return [];
}

/** Whether PostgreSQL's text and jsonb can hold the string as it is: no NUL, no lone surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

// In Unicode mode a well-formed surrogate pair is one code point; only a lone surrogate is of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;
const RESERVED = new Set(RESERVED_PROPERTY_NAMES);
/** Errors reported per event at most: an event with a million bad strings is refused just as well with 20. */
const MAX_REPORTED = 20;
/** Field paths in errors are cut to this length: the path is for a person to find the value, not a copy of it. */
const MAX_PATH_LENGTH = 200;

function inspectNames(keys: readonly string[], path: string, report: (code: string, message: string, field: string) => void): void {
  for (const key of keys) {
    const field = joinPath(path, key);
    if (RESERVED.has(key)) report('FIELD.RESERVED_NAME', `${field}: the property names ${RESERVED_PROPERTY_NAMES.join(', ')} are not allowed`, field);
    else if (!isStorableText(key)) report('FIELD.INVALID_CHARACTERS', `a property name under ${path || 'the event'} holds a NUL character or a lone UTF-16 surrogate`, field);
  }
}

/** `path.key`, with characters that cannot be stored or shown replaced (U+FFFD), and cut to MAX_PATH_LENGTH. */
function joinPath(path: string, key: string): string {
  const clean = isStorableText(key) ? key : key.split('\u0000').join('\uFFFD').replace(/\p{Cs}/gu, '\uFFFD');
  const joined = path === '' ? clean : path.endsWith('.') ? `${path}${clean}` : `${path}.${clean}`;
  // Cut without splitting a surrogate pair.
  return joined.length > MAX_PATH_LENGTH ? `${joined.slice(0, MAX_PATH_LENGTH - 1).replace(/[\uD800-\uDBFF]$/, '')}…` : joined;
}
