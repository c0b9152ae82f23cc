import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseColumnMap } from './column-mapping';
import { CsvImportError } from './csv-import.errors';
import { csvRecords } from './csv-records';
import { createDateParser } from './date-format';
import { importCsv, type CsvEventSink } from './import-csv';
import { createRejectedFile } from './rejected-file';
import type { CsvEvent } from './row-mapping';

describe('importCsv', () => {
  let folder: string;
  beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'rl-import-csv-'))));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const run = (text: string, options: { sink?: CsvEventSink; courseExists?: (id: string) => Promise<boolean>; batchSize?: number } = {}) =>
    importCsv(csvRecords(Readable.from([Buffer.from(text)])), {
      kind: 'completions',
      map: parseColumnMap('completions', ''),
      parseDate: createDateParser(),
      tenant: 'acme',
      importedAt: '2026-12-06T00:00:00Z',
      rejectedFile: (header) => createRejectedFile(join(folder, 'completions.rejected.csv'), header),
      ...options,
    });

  it('given rows in batches, then each batch is sent once full, the rest at the end, and blank rows are skipped', async () => {
    const sent: CsvEvent[][] = [];
    const sink: CsvEventSink = async (events) => (sent.push([...events]), { accepted: events.length, duplicates: 0, rejected: [] });
    const rows = Array.from({ length: 5 }, (_, i) => `e${i},C1,2026-03-0${i + 1}`);
    const summary = await run(['employeeId,courseId,completedAt', ...rows.slice(0, 2), ',,', '', ...rows.slice(2)].join('\n'), { sink, batchSize: 2 });
    expect(sent.map((batch) => batch.map((event) => event.data['employeeId']))).toEqual([['e0', 'e1'], ['e2', 'e3'], ['e4']]);
    expect(summary).toEqual({ kind: 'completions', rows: 5, events: 5, imported: 5, duplicates: 0, rejected: 0, dryRun: false });
  });

  it('given the destination refuses an event (its own rule), then that row is rejected with the reason, at its line', async () => {
    const sink: CsvEventSink = async (events) => ({
      accepted: events.length - 1,
      duplicates: 0,
      rejected: [{ index: 1, errors: [{ code: 'EVENT.TENANT_MISMATCH', message: 'tenant differs from the tenant of the API key' }] }],
    });
    const summary = await run('employeeId,courseId,completedAt\ne0,C1,2026-03-01\ne1,C1,2026-03-02\n', { sink });
    expect(summary).toMatchObject({ imported: 1, rejected: 1, rejectedFile: join(folder, 'completions.rejected.csv') });
    expect(readFileSync(join(folder, 'completions.rejected.csv'), 'utf8')).toBe(
      'line,reason,employeeId,courseId,completedAt\n3,refused on import: tenant differs from the tenant of the API key (EVENT.TENANT_MISMATCH),e1,C1,2026-03-02\n',
    );
  });

  it('given a course lookup, then each course is looked up once and a completion of an unknown course is rejected', async () => {
    const asked: string[] = [];
    const courseExists = async (courseId: string) => (asked.push(courseId), courseId === 'C1');
    const summary = await run('employeeId,courseId,completedAt\ne0,C1,2026-03-01\ne1,C2,2026-03-02\ne2,C1,2026-03-03\ne3,C2,2026-03-04\n', { courseExists });
    expect(asked).toEqual(['C1', 'C2']);
    expect(summary).toMatchObject({ rows: 4, events: 2, rejected: 2, dryRun: true });
  });

  it('given an empty file, then it cannot be imported', async () => {
    await expect(run('')).rejects.toThrow(new CsvImportError('CSV.EMPTY_FILE', 'the file has no header row (it is empty)'));
  });
});
