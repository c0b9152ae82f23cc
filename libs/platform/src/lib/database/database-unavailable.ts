/**
 * Whether an error says the database could not be reached or ended the connection (a restart, a failover, too many
 * connections) rather than that a statement was wrong: the request may be retried as it is. Recognised by the shape
 * pg and Node give such errors — a SQLSTATE of class 08 (connection exception) or 57P (operator intervention), 53300
 * (too many connections), a socket error code, or the messages pg gives a connection lost without a SQLSTATE.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code === '53300' || SOCKET_ERRORS.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_LOST_MESSAGES.some((lost) => message.startsWith(lost));
}

const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** pg's own messages for a connection lost or never made, which carry no SQLSTATE. */
const CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
];
