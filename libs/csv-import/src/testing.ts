// Test helpers of the CSV importer (`@rework-ledger/csv-import/testing`): the fixture files (fixtures/README.md).
import { join } from 'node:path';

/** The folder of the fixture exports (a Workday-like directory, an LMS catalogue and completion report). */
export const CSV_FIXTURES = join(__dirname, '..', 'fixtures');
