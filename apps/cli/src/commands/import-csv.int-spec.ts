import { CSV_FIXTURES } from '@rework-ledger/csv-import/testing';
import { APP_ENTRIES, type AppProcess, runScript, startApp } from '@rework-ledger/testing';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { useCliTestDatabase } from '../cli.test-support';
import { UsageError } from '../command';
import { importCompletionsCommand, importCoursesCommand, importDirectoryCommand } from './import-csv.command';

jest.setTimeout(180_000);

const DIRECTORY_MAP =
  'employeeId=Employee ID,teamId=Supervisory Organization,role=Business Title,hourlyCost=Hourly Rate,effectiveFrom=Effective Date,identity.email=Work Email,identity.github=GitHub Username';
const COURSES_MAP = 'courseId=Course Code,title=Course Name,skills=Skills,costPerSeat=Price per Seat,currency=Currency,activityIds=xAPI Activity IDs';
const COMPLETIONS_MAP = 'employeeId=User ID,courseId=Course ID,completedAt=Completion Date,score=Score';

/** The events of the directory fixture (fixtures/README.md), as stored: lines 2, 3, 4, 10 and 12. */
const assigned = (employeeId: string, teamId: string, role: string, hourlyCost: number | undefined, day: string) => ({
  type: 'employee.assigned',
  time: `${day}T00:00:00Z`,
  data: { employeeId, teamId, role, ...(hourlyCost !== undefined ? { hourlyCost } : {}), effectiveFrom: `${day}T00:00:00Z` },
});
const linked = (employeeId: string, system: string, externalId: string, day: string) => ({ type: 'employee.identity_linked', time: `${day}T00:00:00Z`, data: { employeeId, system, externalId } });
const DIRECTORY_EVENTS = [
  assigned('E1001', 'Équipe Données', 'Analyst, Senior', 61.5, '2026-01-05'),
  linked('E1001', 'email', 'Zoe.Martin@Example.com', '2026-01-05'),
  linked('E1001', 'github', 'zmartin', '2026-01-05'),
  assigned('E1002', 'Platform Engineering', 'Engineer', 72, '2026-01-05'),
  linked('E1002', 'email', 'sean.obrien@example.com', '2026-01-05'),
  assigned('E1003', 'R&D "Labs"', 'Researcher', undefined, '2026-02-01'),
  linked('E1003', 'email', 'hoa.nguyen@example.com', '2026-02-01'),
  linked('E1003', 'github', 'hoa-ng', '2026-02-01'),
  assigned('E1001', 'Équipe Données', 'Lead Analyst', 65, '2026-03-01'),
  linked('E1001', 'email', 'Zoe.Martin@Example.com', '2026-03-01'),
  linked('E1001', 'github', 'zmartin', '2026-03-01'),
  assigned('E1007', 'Équipe Données', 'Analyst', 58, '2026-01-05'),
];

/** The rejected rows of the directory fixture: line, reason, then the row as read (the line break of line 7 kept). */
const DIRECTORY_REJECTED = [
  'line,reason,Employee ID,Worker,Supervisory Organization,Business Title,Hourly Rate,Effective Date,Work Email,GitHub Username',
  '5,teamId: missing value (column Supervisory Organization),E1004,"Smith, Jo",,Manager,80,01/05/2026,jo.smith@example.com,',
  '7,hourlyCost: must not be negative (got -15),E1005,"Müller, Jürgen",Équipe Données,"Data\nEngineer",-15,01/05/2026,j.mueller@example.com,',
  '9,"effectiveFrom: not a date: month 31 in ""31/01/2026""",E1006,"Kowalski, Anna",Platform Engineering,Engineer,70,31/01/2026,anna.k@example.com,',
  '14,"9 cells, the header has 8 (an unquoted comma in a value?)",E1008,Lee, Min,Platform Engineering,Engineer,70,01/05/2026,min.lee@example.com,',
  '',
].join('\n');

describe('cli import directory | completions | courses (CSV)', () => {
  const context = useCliTestDatabase();
  let folder: string;
  const lastLine = () => context.printed.trim().split('\n').pop();
  const fixture = (name: string) => {
    const file = join(folder, name);
    copyFileSync(join(CSV_FIXTURES, name), file);
    return file;
  };
  /** One query on the test database (a connection of its own: none is left open when the database is dropped). */
  const query = async <R extends object>(sql: string, values: unknown[]): Promise<R[]> => {
    const db = new Client({ connectionString: context.database.url });
    await db.connect();
    try {
      return (await db.query<R>(sql, values)).rows;
    } finally {
      await db.end();
    }
  };
  /** The tenant's events as stored, in store order, without their ids. */
  const eventsOf = async (tenant: string, type?: string) =>
    (
      await query<{ type: string; source: string; time: Date; data: Record<string, unknown> }>(
        'SELECT type, source, time, data FROM events WHERE tenant = $1 AND ($2::text IS NULL OR type = $2) ORDER BY global_position',
        [tenant, type ?? null],
      )
    ).map((row) => ({ type: row.type, source: row.source, time: row.time.toISOString().replace('.000Z', 'Z'), data: row.data }));
  /** Events in a stable order: the store appends a batch stream by stream, not in the file's order. */
  const sorted = <T extends { type: string; time: string; data: Record<string, unknown> }>(events: T[]) => {
    const key = (event: T) => [event.data['employeeId'], event.time, event.type, event.data['system'] ?? event.data['courseId']].join(' ');
    return [...events].sort((a, b) => key(a).localeCompare(key(b)));
  };
  const countOf = async (tenant: string) => Number((await query<{ n: string }>('SELECT count(*) AS n FROM events WHERE tenant = $1', [tenant]))[0].n);

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'rl-csv-import-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  describe('through the database (DATABASE_URL)', () => {
    it('given a Workday-like directory (BOM, CRLF, quoted commas, a line break in a cell, non-ASCII teams, bad rows), then the good rows are stored exactly and the bad ones are in directory.rejected.csv with their line and reason', async () => {
      const file = fixture('workday-directory.csv');
      await importDirectoryCommand.run({ tenant: 'acme', map: DIRECTORY_MAP, 'date-format': 'MM/DD/YYYY', 'no-progress': true }, [file]);
      expect(lastLine()).toBe('imported 12, duplicates 2, rejected 4');
      expect(context.printed).toContain(`10 rows of ${file} → the event store of tenant "acme": 14 events`);
      expect(context.printed).toContain('line 5: teamId: missing value (column Supervisory Organization)\nline 7: hourlyCost: must not be negative (got -15)\n');
      expect(context.printed).toContain(`rejected rows, with their line and reason: ${join(folder, 'workday-directory.rejected.csv')}`);
      expect(sorted(await eventsOf('acme'))).toEqual(sorted(DIRECTORY_EVENTS.map((event) => ({ ...event, source: 'csv-import:directory' }))));
      expect(readFileSync(join(folder, 'workday-directory.rejected.csv'), 'utf8')).toBe(DIRECTORY_REJECTED);
    });

    it('given the same file again, then nothing new is stored: every event is a duplicate', async () => {
      await importDirectoryCommand.run({ tenant: 'acme', map: DIRECTORY_MAP, 'date-format': 'MM/DD/YYYY', 'no-progress': true }, [join(folder, 'workday-directory.csv')]);
      expect(lastLine()).toBe('imported 0, duplicates 14, rejected 4');
      expect(await countOf('acme')).toBe(12);
    });

    it('given --dry-run, then every row is read and checked, the rejected file written, and nothing stored', async () => {
      const file = fixture('lms-courses.csv');
      await importCoursesCommand.run({ tenant: 'dry', map: COURSES_MAP, 'dry-run': true, 'no-progress': true }, [file]);
      expect(lastLine()).toBe('imported 0, duplicates 0, rejected 3');
      expect(context.printed).toContain(`dry run, nothing stored: 6 rows of ${file}, 3 events to import`);
      expect(await countOf('dry')).toBe(0);
      expect(existsSync(join(folder, 'lms-courses.rejected.csv'))).toBe(true);
    });

    it('given an LMS catalogue, then each course is registered with its lists split at |; then its completion report: completions at completedAt, an unknown course rejected', async () => {
      await importCoursesCommand.run({ tenant: 'acme', map: COURSES_MAP, 'no-progress': true }, [join(folder, 'lms-courses.csv')]);
      expect(lastLine()).toBe('imported 3, duplicates 0, rejected 3');
      expect((await eventsOf('acme', 'training.course_registered')).map((event) => event.data)).toEqual([
        { courseId: 'PROMPT-101', title: 'Prompting, the basics', skills: ['prompting', 'critical-validation'], costPerSeat: 450, currency: 'EUR', activityIds: ['https://lms.example.com/courses/prompt-101'] },
        {
          courseId: 'REVIEW-201',
          title: 'Reviewing AI output: "trust, but verify"',
          skills: ['review', 'critical-validation'],
          costPerSeat: 1200,
          currency: 'EUR',
          activityIds: ['https://lms.example.com/courses/review-201', 'https://lms.example.com/courses/review-201/v2'],
        },
        { courseId: 'FREE-001', title: 'Free webinar', skills: [], costPerSeat: 0, currency: 'EUR' },
      ]);
      expect(readFileSync(join(folder, 'lms-courses.rejected.csv'), 'utf8').split('\n').map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
        'line,reason',
        '5,costPerSeat: must not be negative (got -10)',
        '6,"currency must be a valid ISO4217 currency code (FIELD.NOT_A_CURRENCY',
        '7,courseId: missing value (column Course Code)',
        '',
      ]);

      const completions = fixture('lms-completions.csv');
      await importCompletionsCommand.run({ tenant: 'acme', map: COMPLETIONS_MAP, 'date-format': 'DD/MM/YYYY HH:mm', 'no-progress': true }, [completions]);
      expect(lastLine()).toBe('imported 4, duplicates 0, rejected 4');
      expect(sorted(await eventsOf('acme', 'training.completed'))).toEqual(sorted([
        { type: 'training.completed', source: 'csv-import:completions', time: '2026-03-05T14:30:00Z', data: { employeeId: 'E1001', courseId: 'PROMPT-101', score: 0.92 } },
        { type: 'training.completed', source: 'csv-import:completions', time: '2026-03-06T08:15:00Z', data: { employeeId: 'E1002', courseId: 'PROMPT-101', score: 0.85 } },
        { type: 'training.completed', source: 'csv-import:completions', time: '2026-03-10T16:00:00Z', data: { employeeId: 'E1003', courseId: 'REVIEW-201' } },
        { type: 'training.completed', source: 'csv-import:completions', time: '2026-03-12T08:00:00Z', data: { employeeId: 'E1001', courseId: 'REVIEW-201', score: 0.75 } },
      ]));
      expect(readFileSync(join(folder, 'lms-completions.rejected.csv'), 'utf8').split('\n').map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
        'line,reason',
        '5,"score must not be greater than 1 (FIELD.OUT_OF_RANGE',
        '6,"courseId: unknown course ""LEGACY-999"" (import it with import courses first)"',
        '7,employeeId: missing value (column User ID)',
        '8,"completedAt: not a date in the format DD/MM/YYYY HH:mm: ""2026-03-07"""',
        '',
      ]);
    });

    it('given a file without bad rows, then no rejected file is left (an earlier run\'s is removed)', async () => {
      const file = join(folder, 'lms-courses.csv');
      const good = readFileSync(file, 'utf8').split('\n').slice(0, 4).join('\n');
      writeFileSync(file, `${good}\n`);
      await importCoursesCommand.run({ tenant: 'acme', map: COURSES_MAP, 'no-progress': true }, [file]);
      expect(lastLine()).toBe('imported 0, duplicates 3, rejected 0');
      expect(existsSync(join(folder, 'lms-courses.rejected.csv'))).toBe(false);
    });

    it.each([
      [{ map: 'employeeId=Employee ID,team=Org' }, '--map: directory has no field "team" (fields: employeeId, teamId, role, hourlyCost, effectiveFrom, or identity.<system>)'],
      [{ map: DIRECTORY_MAP }, '--tenant is required when writing through the database (or write through the API: --url and --api-key)'],
      [{ tenant: 'acme', 'date-format': 'DD/MM' }, '--date-format "DD/MM" needs YYYY (tokens: YYYY MM DD HH mm ss)'],
    [{ tenant: 'acme', 'effective-from': '01/02/2026' }, '--effective-from: not an ISO 8601 date: "01/02/2026" (expected YYYY-MM-DD, optionally THH:mm[:ss] and an offset; or give --date-format)'],
    ])('given %p, then it refuses with a usage error', async (options, message) => {
      await expect(importDirectoryCommand.run({ ...options, 'no-progress': true }, [join(folder, 'workday-directory.csv')])).rejects.toEqual(new UsageError(message));
    });
  });

  describe('as a process: the exit code', () => {
    const env = () => ({ DATABASE_URL: context.database.url });

    it('given a file that does not exist, then it exits non-zero naming it, and stores nothing', async () => {
      const missing = join(folder, 'nope.csv');
      const run = await runScript(APP_ENTRIES.cli, ['import', 'directory', missing, '--tenant', 'exit'], env());
      expect({ code: run.code, stderr: run.stderr.trim() }).toEqual({ code: 1, stderr: `cannot read ${missing}: no such file` });
    });

    it('given --map naming a column the file does not have, then it exits non-zero before storing anything, and writes no rejected file', async () => {
      const file = fixture('workday-directory.csv');
      rmSync(join(folder, 'workday-directory.rejected.csv'), { force: true });
      const run = await runScript(APP_ENTRIES.cli, ['import', 'directory', file, '--tenant', 'exit', '--map', 'employeeId=Employee Number,teamId=Supervisory Organization'], env());
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('--map employeeId=Employee Number: the file has no column "Employee Number" (its columns: Employee ID, Worker, Supervisory Organization,');
      expect(await countOf('exit')).toBe(0);
      expect(existsSync(join(folder, 'workday-directory.rejected.csv'))).toBe(false);
    });
  });

  describe('through the API (--url, --api-key): the API started as a process', () => {
    const KEY = 'rl_csv_import_test_key_0123456789';
    let api: AppProcess;

    beforeAll(async () => {
      api = await startApp('api', APP_ENTRIES.api, { DATABASE_URL: context.database.url, DEMO_DATA: 'false', API_BOOTSTRAP_KEY: KEY, API_BOOTSTRAP_TENANT: 'viaapi' });
    });
    afterAll(async () => {
      await api?.stop('SIGTERM');
    });

    it('given the directory, then the API stores the same events in the key\'s tenant; a re-run is all duplicates', async () => {
      const file = fixture('workday-directory.csv');
      await importDirectoryCommand.run({ url: api.url, 'api-key': KEY, map: DIRECTORY_MAP, 'date-format': 'MM/DD/YYYY', batch: '5', 'no-progress': true }, [file]);
      expect(lastLine()).toBe('imported 12, duplicates 2, rejected 4');
      expect(context.printed).toContain(`→ ${api.url}/v1/events: 14 events`);
      expect(sorted(await eventsOf('viaapi'))).toEqual(sorted(DIRECTORY_EVENTS.map((event) => ({ ...event, source: 'csv-import:directory' }))));
      expect(readFileSync(join(folder, 'workday-directory.rejected.csv'), 'utf8')).toBe(DIRECTORY_REJECTED);
      await importDirectoryCommand.run({ url: api.url, 'api-key': KEY, map: DIRECTORY_MAP, 'date-format': 'MM/DD/YYYY', 'no-progress': true }, [file]);
      expect(lastLine()).toBe('imported 0, duplicates 14, rejected 4');
    });

    it('given a completion report run as a process, then it exits 0 and its last line counts; courses are not checked through the API', async () => {
      const file = fixture('lms-completions.csv');
      const run = await runScript(APP_ENTRIES.cli, ['import', 'completions', file, '--url', api.url, '--api-key', KEY, '--map', COMPLETIONS_MAP, '--date-format', 'DD/MM/YYYY HH:mm', '--no-progress'], {});
      expect({ code: run.code, last: run.stdout.trim().split('\n').pop() }).toEqual({ code: 0, last: 'imported 5, duplicates 0, rejected 3' });
      expect(run.stderr).toContain('through the API, courses are not checked');
      expect((await eventsOf('viaapi', 'training.completed')).map((event) => `${event.data['employeeId']} ${event.data['courseId']}`).sort()).toEqual(
        ['E1001 PROMPT-101', 'E1001 REVIEW-201', 'E1002 PROMPT-101', 'E1003 REVIEW-201', 'E1005 LEGACY-999'],
      );
    });
  });
});
