// Which CSV column holds which field of an import: the `--map` option, the header, and the rule that joins them.
import { CsvImportError } from './csv-import.errors';

/** The three CSV imports (PRODUCT.md, "CSV from HR systems and LMS exports"). */
export type CsvImportKind = 'directory' | 'completions' | 'courses';

/** The fields of each import, in the order they are documented; `required` fields need a column. */
export const IMPORT_FIELDS = {
  directory: { required: ['employeeId', 'teamId'], optional: ['role', 'hourlyCost', 'effectiveFrom'] },
  completions: { required: ['employeeId', 'courseId', 'completedAt'], optional: ['score'] },
  courses: { required: ['courseId', 'title', 'costPerSeat', 'currency'], optional: ['skills', 'activityIds'] },
} as const satisfies Record<CsvImportKind, { required: readonly string[]; optional: readonly string[] }>;

export type CsvField<K extends CsvImportKind> = (typeof IMPORT_FIELDS)[K]['required'][number] | (typeof IMPORT_FIELDS)[K]['optional'][number];

/** `identity.<system>`: a directory column of another system's identifier for the employee (an identity link). */
const IDENTITY_PREFIX = 'identity.';
const SYSTEM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `--map` as given: field (or `identity.<system>`) → column name. */
export type ColumnMap = ReadonlyMap<string, string>;

/** Where each field is in a row: its column index; and the identity columns of a directory. */
export type ColumnLayout = Readonly<{
  header: readonly string[];
  fields: ReadonlyMap<string, number>;
  identities: readonly Readonly<{ system: string; index: number }>[];
}>;

function fieldsOf(kind: CsvImportKind): readonly string[] {
  return [...IMPORT_FIELDS[kind].required, ...IMPORT_FIELDS[kind].optional];
}

function identitySystem(kind: CsvImportKind, name: string): string | undefined {
  if (kind !== 'directory' || !name.startsWith(IDENTITY_PREFIX)) return undefined;
  const system = name.slice(IDENTITY_PREFIX.length);
  return SYSTEM.test(system) ? system : undefined;
}

/**
 * `employeeId=Employee ID,teamId=Department,identity.email=Work Email` → field → column. Pairs are separated by
 * commas and split at their first `=`; a column name is taken as written (trimmed). A field the import does not know
 * is refused: a typo would otherwise silently import nothing into it.
 */
export function parseColumnMap(kind: CsvImportKind, text: string | undefined): ColumnMap {
  const map = new Map<string, string>();
  if (text === undefined || text.trim() === '') return map;
  const known = fieldsOf(kind);
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    const field = (equals < 0 ? pair : pair.slice(0, equals)).trim();
    const column = equals < 0 ? '' : pair.slice(equals + 1).trim();
    if (column === '') throw new CsvImportError('CSV.BAD_MAP', `--map: "${pair.trim()}" names no column (write field=Column)`, 'map');
    if (!known.includes(field) && identitySystem(kind, field) === undefined) {
      const identity = kind === 'directory' ? ', or identity.<system>' : '';
      throw new CsvImportError('CSV.UNKNOWN_FIELD', `--map: ${kind} has no field "${field}" (fields: ${known.join(', ')}${identity})`, 'map');
    }
    if (map.has(field)) throw new CsvImportError('CSV.BAD_MAP', `--map: ${field} is mapped twice`, 'map');
    map.set(field, column);
  }
  return map;
}

/** The index of a column by name: exactly as written, else ignoring case when only one column matches that way. */
function columnIndex(header: readonly string[], name: string): number | undefined {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  const matches = header.flatMap((column, index) => (column.toLowerCase() === lower ? [index] : []));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * The layout of a file from its header and the map: a mapped field reads its column (which must exist); a field not
 * mapped reads the column named like it, if any; a directory's `identity.<system>` columns (mapped, or named so in
 * the header) become identity links. A required field without a column makes the file unreadable.
 */
export function resolveColumns(kind: CsvImportKind, rawHeader: readonly string[], map: ColumnMap): ColumnLayout {
  const header = rawHeader.map((column) => column.trim());
  const fields = new Map<string, number>();
  const identities: { system: string; index: number }[] = [];
  for (const [field, column] of map) {
    const index = columnIndex(header, column);
    if (index === undefined) throw new CsvImportError('CSV.UNKNOWN_COLUMN', `--map ${field}=${column}: the file has no column "${column}" (its columns: ${header.join(', ')})`, 'map');
    const system = identitySystem(kind, field);
    if (system !== undefined) identities.push({ system, index });
    else fields.set(field, index);
  }
  for (const field of fieldsOf(kind)) {
    if (fields.has(field)) continue;
    const index = columnIndex(header, field);
    if (index !== undefined && ![...fields.values()].includes(index)) fields.set(field, index);
  }
  header.forEach((column, index) => {
    const system = identitySystem(kind, column);
    if (system !== undefined && !map.has(column) && !identities.some((identity) => identity.system === system)) identities.push({ system, index });
  });
  const missing = IMPORT_FIELDS[kind].required.filter((field) => !fields.has(field));
  if (missing.length > 0) {
    throw new CsvImportError(
      'CSV.MISSING_COLUMN',
      `the file has no column for ${missing.join(', ')} (its columns: ${header.join(', ')}); name them with --map ${missing.map((field) => `${field}=<column>`).join(',')}`,
      missing[0],
    );
  }
  return { header, fields, identities };
}
