import { parseColumnMap, resolveColumns, type CsvImportKind } from './column-mapping';
import { createDateParser } from './date-format';
import { CSV_ID_NAMESPACE, mapRow, type RowMappingOptions } from './row-mapping';
import { v5 as uuidv5 } from 'uuid';

const options = (kind: CsvImportKind, header: string[], map = '', extra: Partial<RowMappingOptions> = {}): RowMappingOptions => ({
  layout: resolveColumns(kind, header, parseColumnMap(kind, map)),
  parseDate: createDateParser(),
  tenant: 'acme',
  importedAt: '2026-12-06T04:00:00Z',
  ...extra,
});
const reasonOf = (result: ReturnType<typeof mapRow>) => (result.ok ? 'ok' : result.reason);
const eventsOf = (result: ReturnType<typeof mapRow>) => {
  if (!result.ok) throw new Error(result.reason);
  return result.events;
};

describe('directory rows', () => {
  const header = ['Employee ID', 'Team', 'Role', 'Rate', 'Since', 'Email', 'GitHub'];
  const directory = options('directory', header, 'employeeId=Employee ID,teamId=Team,role=Role,hourlyCost=Rate,effectiveFrom=Since,identity.email=Email,identity.github=GitHub');

  it('given a full row, then it is employee.assigned at its effectiveFrom, and one employee.identity_linked per identity cell', () => {
    const result = mapRow('directory', ['E-17', 'Équipe Données', 'Analyst', '61.5', '2026-01-05', 'Zoë.Martin@Example.com', ''], directory);
    expect(result).toEqual({
      ok: true,
      events: [
        {
          specversion: '1.0',
          id: expect.any(String),
          source: 'csv-import:directory',
          type: 'employee.assigned',
          time: '2026-01-05T00:00:00Z',
          data: { employeeId: 'E-17', teamId: 'Équipe Données', role: 'Analyst', hourlyCost: 61.5, effectiveFrom: '2026-01-05T00:00:00Z' },
        },
        {
          specversion: '1.0',
          id: expect.any(String),
          source: 'csv-import:directory',
          type: 'employee.identity_linked',
          time: '2026-01-05T00:00:00Z',
          data: { employeeId: 'E-17', system: 'email', externalId: 'Zoë.Martin@Example.com' },
        },
      ],
    });
  });

  it('given the same row twice, then the events have the same ids (UUID v5 of type, time and data); a changed cell changes the id', () => {
    const row = ['E-17', 'Équipe Données', '', '', '2026-01-05', '', ''];
    const [first] = eventsOf(mapRow('directory', row, directory));
    expect(first.id).toBe(uuidv5(JSON.stringify([first.type, first.time, first.data]), CSV_ID_NAMESPACE));
    expect(mapRow('directory', [...row], directory)).toEqual(mapRow('directory', row, directory));
    expect(eventsOf(mapRow('directory', ['E-17', 'Ops', '', '', '2026-01-05', '', ''], directory))[0].id).not.toBe(first.id);
  });

  it('given no effectiveFrom, then --effective-from, else 1970-01-01 (so that a first assignment covers all past work)', () => {
    const row = ['E-1', 'Data', '', '', '', '', ''];
    expect(eventsOf(mapRow('directory', row, directory))[0].time).toBe('1970-01-01T00:00:00Z');
    expect(eventsOf(mapRow('directory', row, { ...directory, effectiveFrom: '2026-02-01T00:00:00Z' }))[0].time).toBe('2026-02-01T00:00:00Z');
  });

  it.each([
    [['', 'Data', '', '', '', '', ''], 'employeeId: missing value (column Employee ID)'],
    [['E-1', '  ', '', '', '', '', ''], 'teamId: missing value (column Team)'],
    [['E-1', 'Data', '', '-12', '', '', ''], 'hourlyCost: must not be negative (got -12)'],
    [['E-1', 'Data', '', '12,50', '', '', ''], 'hourlyCost: not a number: "12,50"'],
    [['E-1', 'Data', '', '2000000000', '', '', ''], 'hourlyCost must not be greater than 1000000000 (FIELD.OUT_OF_RANGE, employee.assigned)'],
    [['E-1', 'Data', '', '', '31/01/2026', '', ''], 'effectiveFrom: not an ISO 8601 date: "31/01/2026" (expected YYYY-MM-DD, optionally THH:mm[:ss] and an offset; or give --date-format)'],
    [['E-1', 'Data', '', '', '1969-12-31', '', ''], 'time must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (FIELD.OUT_OF_RANGE, employee.assigned)'],
    [['E-1', 'x'.repeat(201), '', '', '', '', ''], 'teamId must be shorter than or equal to 200 characters (FIELD.TOO_LONG, employee.assigned)'],
    [['E-1', 'Data\u0007', '', '', '', '', ''], 'teamId must hold no control character (U+0000–U+001F, U+007F–U+009F) (FIELD.INVALID_CHARACTERS, employee.assigned)'],
  ])('given %p, then the row is rejected: %s', (row, reason) => {
    expect(reasonOf(mapRow('directory', row, directory))).toBe(reason);
  });
});

describe('completion rows', () => {
  const completions = options('completions', ['User', 'Course', 'Completed', 'Score'], 'employeeId=User,courseId=Course,completedAt=Completed,score=Score', { parseDate: createDateParser('DD/MM/YYYY HH:mm') });

  it('given a row, then it is training.completed at completedAt (the event time), with the score', () => {
    expect(mapRow('completions', ['alice', 'PROMPT-101', '05/03/2026 14:30', '0.9'], completions)).toMatchObject({
      ok: true,
      events: [{ type: 'training.completed', time: '2026-03-05T14:30:00Z', source: 'csv-import:completions', data: { employeeId: 'alice', courseId: 'PROMPT-101', score: 0.9 } }],
    });
  });

  it('given a score in percent, then it is the fraction; no score, then none', () => {
    expect(mapRow('completions', ['alice', 'C', '05/03/2026 14:30', '85%'], completions)).toMatchObject({ ok: true, events: [{ data: { score: 0.85 } }] });
    expect(eventsOf(mapRow('completions', ['alice', 'C', '05/03/2026 14:30', ''], completions))[0].data).toEqual({ employeeId: 'alice', courseId: 'C' });
  });

  it.each([
    [['alice', 'C', '05/03/2026 14:30', '1.2'], 'score must not be greater than 1 (FIELD.OUT_OF_RANGE, training.completed)'],
    [['alice', 'C', '05/03/2026 14:30', '-0.1'], 'score: must not be negative (got -0.1)'],
    [['alice', 'C', '2026-03-05', ''], 'completedAt: not a date in the format DD/MM/YYYY HH:mm: "2026-03-05"'],
    [['alice', '', '05/03/2026 14:30', ''], 'courseId: missing value (column Course)'],
  ])('given %p, then the row is rejected: %s', (row, reason) => {
    expect(reasonOf(mapRow('completions', row, completions))).toBe(reason);
  });
});

describe('course rows', () => {
  const courses = options('courses', ['courseId', 'title', 'skills', 'costPerSeat', 'currency', 'activityIds']);

  it('given lists separated by |, then skills and activityIds are lists; the currency is upper case; the time is the import', () => {
    expect(mapRow('courses', ['PROMPT-101', 'Prompting, the basics', 'prompting | validation', '450', 'eur', 'https://lms.example.com/c/1|https://lms.example.com/c/1;v=2'], courses)).toMatchObject({
      ok: true,
      events: [
        {
          type: 'training.course_registered',
          time: '2026-12-06T04:00:00Z',
          data: { courseId: 'PROMPT-101', title: 'Prompting, the basics', skills: ['prompting', 'validation'], costPerSeat: 450, currency: 'EUR', activityIds: ['https://lms.example.com/c/1', 'https://lms.example.com/c/1;v=2'] },
        },
      ],
    });
  });

  it('given the same row imported on another day, then the id is the same (a duplicate)', () => {
    const row = ['C1', 'T', '', '0', 'USD', ''];
    const idOn = (importedAt: string) => eventsOf(mapRow('courses', row, { ...courses, importedAt }))[0].id;
    expect(idOn('2026-12-07T00:00:00Z')).toBe(idOn('2026-12-06T04:00:00Z'));
  });

  it.each([
    [['C1', 'T', '', '-1', 'USD', ''], 'costPerSeat: must not be negative (got -1)'],
    [['C1', 'T', '', '10', 'EURO', ''], 'currency must be a valid ISO4217 currency code (FIELD.NOT_A_CURRENCY, training.course_registered)'],
    [['C1', '', '', '10', 'EUR', ''], 'title: missing value (column title)'],
  ])('given %p, then the row is rejected: %s', (row, reason) => {
    expect(reasonOf(mapRow('courses', row, courses))).toBe(reason);
  });
});
