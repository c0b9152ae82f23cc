import { LedgerError } from '@rework-ledger/domain';

// SQLSTATE classes of a database that is unavailable for a while, not of the data sent to it: 08 connection exception,
// 40 transaction rollback (serialization failure, deadlock), 53 insufficient resources, 57 operator intervention
// (shutdown, restart, cancel), 58 system error (I/O outside PostgreSQL); and 55P03, a lock not available in time.
const RETRIABLE_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
const RETRIABLE_SQLSTATES = new Set(['55P03']);
// Network errors of Node's sockets and DNS on the way to the database.
const RETRIABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);
// What node-postgres and its pool say, without a code, when the connection is lost or cannot be had.
const RETRIABLE_DRIVER_MESSAGES = [
  /^Connection terminated/,
  /encountered a connection error and is not queryable/,
  /Client was closed and is not queryable/,
  /timeout exceeded when trying to connect/,
  /Cannot use a pool after calling end on the pool/,
];

// The EventStoreDB client's error types of a server that cannot answer now (EVENT_STORE=eventstoredb); gRPC reports
// a dropped transport as `unknown`.
const RETRIABLE_EVENTSTOREDB_TYPES = new Set(['timeout', 'deadline-exceeded', 'unavailable', 'cancelled', 'not-leader', 'unknown']);

/**
 * Whether a failed append can succeed if retried as is: the database is down, restarting, overloaded or contended
 * (a connection or availability error, SQLSTATE class 08, 40, 53, 57 or 58, a store error marked retriable). Only
 * those are retried — a partition stalls while they last, which is right: every event behind them waits for the
 * database. Anything else (a data exception, a `RangeError` from serializing an event, a bug) could fail forever and
 * halt the partition, so the ingestor isolates the event that causes it and dead-letters it with the reason.
 */
export function isRetriableInfrastructureFailure(error: unknown): boolean {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    if (cause instanceof LedgerError) return cause.retriable;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.length === 5 && (RETRIABLE_SQLSTATE_CLASSES.has(code.slice(0, 2)) || RETRIABLE_SQLSTATES.has(code))) return true;
      if (RETRIABLE_SYSTEM_CODES.has(code)) return true;
    }
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string' && RETRIABLE_EVENTSTOREDB_TYPES.has(type)) return true;
    const message = (cause as { message?: unknown }).message;
    if (typeof message === 'string' && RETRIABLE_DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}

/** Whether a failed append needs the event that caused it isolated and dead-lettered: whatever is not retriable. */
export function isCausedByEventData(error: unknown): boolean {
  return !isRetriableInfrastructureFailure(error);
}
