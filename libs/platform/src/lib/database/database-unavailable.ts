/**
 * Whether an error says the database could not be reached or ended the connection (a restart, a failover, too many
 * connections) rather than that a statement was wrong: the request may be retried as it is. Recognised by the shape
 * pg and Node give such errors — a SQLSTATE of those conditions, a socket error code, or the messages pg gives a
 * connection lost (or never made) without a SQLSTATE. Deliberately narrow: a protocol violation (08P01, a client bug)
 * or a database that was dropped (57P04) is not something a retry fixes.
 *
 * A full pool's wait that ran out (isPoolExhausted) counts as unavailable too, as it always has: what callers ask is
 * whether to send the same request again, and the answer is yes (the OTLP/gRPC receiver answers UNAVAILABLE, which
 * exporters retry; the event store never sees it on a connection it holds). Where the cause matters — the HTTP answer,
 * DATABASE.OVERLOADED — ask isPoolExhausted first.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || SOCKET_ERRORS.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_LOST_MESSAGES.some((lost) => message.startsWith(lost));
}

/**
 * Connection exceptions (08000, 08001 cannot connect, 08003 no connection, 08004 rejected, 08006 failure, 08007
 * transaction resolution unknown), operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
 * connect now — starting up or shutting down, 57P05 idle session timeout) and 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '08007', '57P01', '57P02', '57P03', '57P05', '53300']);

const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** pg-pool's message when a `connect()` waited in the queue of a full pool longer than its `connectionTimeoutMillis`. */
const POOL_WAIT_TIMED_OUT = 'timeout exceeded when trying to connect';

/** pg's and pg-pool's own messages for a connection lost or never made, which carry no SQLSTATE. */
const CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  POOL_WAIT_TIMED_OUT,
  'timeout expired',
];

/**
 * Whether an error says that no connection of the pool became free for the whole wait (DATABASE_POOL_TIMEOUT_MS): most
 * often this process asked for more at once than its pool holds. Not proof that the database answers: pg-pool counts a
 * connection still being opened as taken, so behind connections that hang on a silent server the queued requests fail
 * so too (the first ones fail as unavailable). pg-pool gives both of its timeouts
 * the one option, and tells them apart by message only: a new connection that cannot be made in time fails with
 * "Connection terminated due to connection timeout" instead (the server is slow or unreachable: unavailable, not this).
 */
export function isPoolExhausted(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && message.startsWith(POOL_WAIT_TIMED_OUT);
}
