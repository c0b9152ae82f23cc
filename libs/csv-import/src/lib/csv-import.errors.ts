import { LedgerError } from '@rework-ledger/domain';

/**
 * A CSV file that cannot be imported at all (its header lacks a mapped or required column, a `--map` or
 * `--date-format` that cannot mean anything): nothing of it is read, the command exits non-zero. A bad row is never
 * this error: it is a rejected row (see rejected-file.ts).
 */
export class CsvImportError extends LedgerError {}
