import { LedgerError } from '@rework-ledger/domain';

// SQLSTATE classes caused by the data of an event, not by the state of the database: 22 data exception (e.g. a NUL
// character PostgreSQL cannot store), 54 program limit exceeded. Retrying them can never succeed.
const DATA_SQLSTATE_CLASSES = ['22', '54'];

/**
 * Whether a failed append can succeed if retried as is (the database is down, restarting, overloaded, contended), or
 * was caused by an event in it and needs that event isolated. Anything unknown is retried: stalling beats losing.
 */
export function isCausedByEventData(error: unknown): boolean {
  if (error instanceof LedgerError) return !error.retriable && error.code !== 'EVENT_STORE.APPEND_CONTENDED';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && DATA_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}
