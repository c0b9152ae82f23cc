import { LedgerError } from '@rework-ledger/domain';

// SQLSTATE classes of a database that is unavailable or misconfigured for a while, not of the data sent to it:
// 08 connection exception, 25 invalid transaction state (25006: a failover left us on a read-only standby),
// 28 invalid authorization (a rotated password), 3D/3F a database or schema missing (mid-migration), 40 transaction
// rollback (serialization failure, deadlock), 42 syntax error or access rule violation (a revoked grant, a table not
// yet migrated: values are bound as parameters, so no event's data causes these), 53 insufficient resources,
// 55 object not in prerequisite state (a lock not available), 57 operator intervention (shutdown, restart, cancel),
// 58 system error (I/O outside PostgreSQL), XX internal error. Dead-lettering events for these would empty the stream
// into the dead-letter topic during an outage; the data classes (22, 23, 54) are what an event can cause.
const RETRIABLE_SQLSTATE_CLASSES = new Set(['08', '25', '28', '3D', '3F', '40', '42', '53', '55', '57', '58', 'XX']);
const RETRIABLE_SQLSTATES = new Set<string>();
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
 * Whether a failed append can succeed if retried as is: the database is down, restarting, overloaded, contended or
 * misconfigured (a connection or availability error, a SQLSTATE of the classes above, a store error marked retriable). Only
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
