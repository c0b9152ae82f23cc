// One CSV row → the contract events it states (PRODUCT.md, "CSV from HR systems and LMS exports"), or why none.
import { validateEvent } from '@rework-ledger/contracts';
import type { CourseRegisteredData, EmployeeAssignedData, EmployeeIdentityLinkedData, EventType, TrainingCompletedData } from '@rework-ledger/domain';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { ColumnLayout, CsvImportKind } from './column-mapping';
import type { DateParser } from './date-format';

/** The UUID v5 namespace of CSV-derived event ids. Fixed forever: changing it would change every derived id. */
export const CSV_ID_NAMESPACE = 'b3f1c6a2-4d5e-4f7a-9c8b-2e1d0a9f8c7b';
// The same ids as uuidv5(string, namespace string), three times faster: uuid converts a string name and parses a
// string namespace on every call (a million-row file derives two million ids).
const NAMESPACE_BYTES = parseUuid(CSV_ID_NAMESPACE);

/** The separator of a list in one cell (`skills`, `activityIds`): `|` never appears in an IRI, so one serves both. */
export const LIST_SEPARATOR = '|';

/** Without `effectiveFrom` or `--effective-from`: an assignment from the epoch covers all past work. */
export const DEFAULT_EFFECTIVE_FROM = '1970-01-01T00:00:00Z';

/** A contract event as the importer sends it (to the store through ingestEvents, or to POST /v1/events). */
export type CsvEvent = Readonly<{ specversion: '1.0'; id: string; source: string; type: EventType; time: string; data: Readonly<Record<string, unknown>> }>;

export type RowResult = Readonly<{ ok: true; events: readonly CsvEvent[] }> | Readonly<{ ok: false; reason: string }>;

export type RowMappingOptions = Readonly<{
  layout: ColumnLayout;
  parseDate: DateParser;
  /** The tenant the events are for (checked by the contract with it); through the API, the key's. */
  tenant: string;
  /** A directory row's time when it has no `effectiveFrom` (RFC 3339). */
  effectiveFrom?: string;
  /** When the import runs (RFC 3339): the time of a course's registration, which a course row does not carry. */
  importedAt: string;
}>;

/** The CloudEvents source of an import's events: one per kind, whatever the file is called, so a re-run is a duplicate. */
export function csvSource(kind: CsvImportKind): string {
  return `csv-import:${kind}`;
}

/** A row failed: this field, this reason. */
class RowProblem extends Error {}

/** The trimmed cells of a row, by field. */
function reader(values: readonly string[], layout: ColumnLayout) {
  const cell = (field: string): string | undefined => {
    const index = layout.fields.get(field);
    const value = index === undefined ? undefined : values[index]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (field: string): string => {
    const value = cell(field);
    if (value === undefined) throw new RowProblem(`${field}: missing value (column ${layout.header[layout.fields.get(field) as number]})`);
    return value;
  };
  return { cell, required };
}

/** A plain decimal (`12`, `12.50`, `.5`); a negative one is refused by name, other text as not a number. */
function numberOf(field: string, text: string, percentAllowed = false): number {
  const percent = percentAllowed && text.endsWith('%');
  const digits = percent ? text.slice(0, -1).trim() : text;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(digits)) throw new RowProblem(`${field}: not a number: "${text}"`);
  const value = Number(digits) / (percent ? 100 : 1);
  if (value < 0) throw new RowProblem(`${field}: must not be negative (got ${text})`);
  return value;
}

function dateOf(field: string, text: string, parseDate: DateParser): string {
  const result = parseDate(text);
  if (!result.ok) throw new RowProblem(`${field}: ${result.reason}`);
  return result.iso;
}

function listOf(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(LIST_SEPARATOR).map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * An event with an id derived from its type, data and (unless it is the time of the import) its time: the same row
 * imported again is the same event, a duplicate.
 */
function eventOf(kind: CsvImportKind, type: EventType, time: string, data: Record<string, unknown>, timeIsImport = false): CsvEvent {
  const id = uuidv5(Buffer.from(JSON.stringify(timeIsImport ? [type, data] : [type, time, data]), 'utf8'), NAMESPACE_BYTES);
  return { specversion: '1.0', id, source: csvSource(kind), type, time, data };
}

function directoryEvents(values: readonly string[], options: RowMappingOptions): CsvEvent[] {
  const { cell, required } = reader(values, options.layout);
  const employeeId = required('employeeId');
  const rowDate = cell('effectiveFrom');
  const time = rowDate === undefined ? (options.effectiveFrom ?? DEFAULT_EFFECTIVE_FROM) : dateOf('effectiveFrom', rowDate, options.parseDate);
  const role = cell('role');
  const hourlyCost = cell('hourlyCost');
  const assigned: EmployeeAssignedData = {
    employeeId,
    teamId: required('teamId'),
    ...(role !== undefined ? { role } : {}),
    ...(hourlyCost !== undefined ? { hourlyCost: numberOf('hourlyCost', hourlyCost) } : {}),
    effectiveFrom: time,
  };
  const events = [eventOf('directory', 'employee.assigned', time, assigned)];
  for (const { system, index } of options.layout.identities) {
    const externalId = values[index]?.trim();
    if (!externalId) continue;
    const link: EmployeeIdentityLinkedData = { employeeId, system, externalId };
    events.push(eventOf('directory', 'employee.identity_linked', time, link));
  }
  return events;
}

function completionEvents(values: readonly string[], options: RowMappingOptions): CsvEvent[] {
  const { cell, required } = reader(values, options.layout);
  const score = cell('score');
  const completed: TrainingCompletedData = {
    employeeId: required('employeeId'),
    courseId: required('courseId'),
    ...(score !== undefined ? { score: numberOf('score', score, true) } : {}),
  };
  return [eventOf('completions', 'training.completed', dateOf('completedAt', required('completedAt'), options.parseDate), completed)];
}

/**
 * A course row has no time of its own: it is registered at the time of the import, and its id leaves that time out,
 * so importing the same row again (another day) is a duplicate while a changed row registers the course anew.
 */
function courseEvents(values: readonly string[], options: RowMappingOptions): CsvEvent[] {
  const { cell, required } = reader(values, options.layout);
  const activityIds = listOf(cell('activityIds'));
  const course: CourseRegisteredData = {
    courseId: required('courseId'),
    title: required('title'),
    skills: listOf(cell('skills')),
    costPerSeat: numberOf('costPerSeat', required('costPerSeat')),
    currency: required('currency').toUpperCase(),
    ...(activityIds.length > 0 ? { activityIds } : {}),
  };
  return [eventOf('courses', 'training.course_registered', options.importedAt, course, true)];
}

const EVENTS_OF: Record<CsvImportKind, (values: readonly string[], options: RowMappingOptions) => CsvEvent[]> = {
  directory: directoryEvents,
  completions: completionEvents,
  courses: courseEvents,
};

/**
 * A row's cells → its events, each checked by the contract's one validator (the bounds, characters and formats every
 * entry point applies): a row is imported whole or rejected whole, with the first reason.
 */
export function mapRow(kind: CsvImportKind, values: readonly string[], options: RowMappingOptions): RowResult {
  let events: CsvEvent[];
  try {
    events = EVENTS_OF[kind](values, options);
  } catch (error) {
    if (error instanceof RowProblem) return { ok: false, reason: error.message };
    throw error;
  }
  for (const event of events) {
    const validation = validateEvent(event, { fromCredentials: options.tenant });
    if (!validation.ok) {
      const [first] = validation.errors;
      // The contract's messages name their field (`data.score must not be greater than 1`).
      return { ok: false, reason: `${first.message.replace(/^data\./, '')} (${first.code}, ${event.type})` };
    }
  }
  return { ok: true, events };
}
