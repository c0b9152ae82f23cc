import { parseColumnMap, resolveColumns } from './column-mapping';
import { CsvImportError } from './csv-import.errors';

const WORKDAY = ['Employee ID', 'Legal Name', 'Supervisory Organization', 'Job Profile', 'Hourly Rate', 'Effective Date', 'Work Email'];

describe('--map and the header', () => {
  it('given a map of Workday columns (with identity.email), then each field reads its column', () => {
    const map = parseColumnMap('directory', 'employeeId=Employee ID, teamId=Supervisory Organization,role=Job Profile,hourlyCost=Hourly Rate,effectiveFrom=Effective Date,identity.email=Work Email');
    const layout = resolveColumns('directory', WORKDAY, map);
    expect(Object.fromEntries(layout.fields)).toEqual({ employeeId: 0, teamId: 2, role: 3, hourlyCost: 4, effectiveFrom: 5 });
    expect(layout.identities).toEqual([{ system: 'email', index: 6 }]);
  });

  it('given no map, then columns named like the fields (any case) are read, and identity.<system> columns are links', () => {
    const layout = resolveColumns('directory', [' EmployeeId ', 'teamid', 'role', 'identity.github', 'identity.lms', 'notes'], new Map());
    expect(Object.fromEntries(layout.fields)).toEqual({ employeeId: 0, teamId: 1, role: 2 });
    expect(layout.identities).toEqual([{ system: 'github', index: 3 }, { system: 'lms', index: 4 }]);
  });

  it('given a map of some fields, then the others still read their namesake columns, never a column already mapped', () => {
    const layout = resolveColumns('completions', ['person', 'courseId', 'completedAt', 'employeeId'], parseColumnMap('completions', 'employeeId=person'));
    expect(Object.fromEntries(layout.fields)).toEqual({ employeeId: 0, courseId: 1, completedAt: 2 });
  });

  it('given a mapped column the file does not have, then the file cannot be imported (CSV.UNKNOWN_COLUMN)', () => {
    const attempt = () => resolveColumns('directory', WORKDAY, parseColumnMap('directory', 'employeeId=Employee Number,teamId=Supervisory Organization'));
    expect(attempt).toThrow(CsvImportError);
    expect(attempt).toThrow('--map employeeId=Employee Number: the file has no column "Employee Number"');
  });

  it('given a required field without a column, then the file cannot be imported (CSV.MISSING_COLUMN) and the message says how to map it', () => {
    expect(() => resolveColumns('courses', ['courseId', 'title', 'price'], new Map())).toThrow(
      'the file has no column for costPerSeat, currency (its columns: courseId, title, price); name them with --map costPerSeat=<column>,currency=<column>',
    );
  });

  it.each([
    ['employeeId=Employee ID,team=Org', 'directory', '--map: directory has no field "team" (fields: employeeId, teamId, role, hourlyCost, effectiveFrom, or identity.<system>)'],
    ['identity.email=Email', 'completions', '--map: completions has no field "identity.email"'],
    ['employeeId', 'directory', '--map: "employeeId" names no column (write field=Column)'],
    ['employeeId=A,employeeId=B', 'directory', '--map: employeeId is mapped twice'],
  ] as const)('given --map %p for %s, then it is refused', (text, kind, message) => {
    expect(() => parseColumnMap(kind, text)).toThrow(message);
  });

  it('given a column name with an equals sign, then only the first = splits field from column', () => {
    expect(parseColumnMap('courses', 'title=Name=Title')).toEqual(new Map([['title', 'Name=Title']]));
  });
});
