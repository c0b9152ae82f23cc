/**
 * Whether an error says the database could not be reached or ended the connection (a restart, a failover, too many
 * connections) rather than that a statement was wrong: the request may be retried as it is. Recognised by the shape
 * pg and Node give such errors — a SQLSTATE of those conditions, a socket error code, or the messages pg gives a
 * connection lost (or never made) without a SQLSTATE. Deliberately narrow: a protocol violation (08P01, a client bug)
 * or a database that was dropped (57P04) is not something a retry fixes.
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

/** pg's and pg-pool's own messages for a connection lost or never made, which carry no SQLSTATE. */
const CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'timeout expired',
];
