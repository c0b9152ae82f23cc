/**
 * What a projection does when applying events fails: retry the batch (the database or the connection is at fault, and
 * a good event must never be set aside for that) or park the event that caused it (its data is at fault, and retrying
 * would stop the projection for every tenant forever). Decided by the error alone, a pure function.
 */
export type ApplyFailure = Readonly<{ action: 'retry' }> | Readonly<{ action: 'park'; code: string; message: string }>;

/**
 * SQLSTATE classes of a data fault: 22 data exception (a value out of range, an invalid timestamp, a NUL byte),
 * 23 integrity constraint violation, and 54 program limit exceeded (a string too long for an index row: one huge
 * value, the same at every retry; bisection finds the event, and a batch that is merely too big never fails alone).
 * Every other class — 08 connection, 40 transaction rollback (serialization,
 * deadlock), 53 insufficient resources, 57 operator intervention (a restart), and the rest (42: a bug in the
 * projection's SQL, which would otherwise park every event) — is retried.
 */
const PARKED_SQLSTATE_CLASSES = new Set(['22', '23', '54']);

/**
 * Errors that the projection's own code throws for one malformed value (`new Date('x').toISOString()`, a deep object).
 * Not `TypeError`: that is how a bug in a deployed projection shows (a property of undefined), and parking would set
 * aside every event of that type for every tenant; retried, the projection stalls visibly until the fix is deployed.
 * The contract check before apply keeps malformed shapes out.
 */
const PARKED_JS_ERRORS: readonly (new (...args: never[]) => Error)[] = [RangeError];

/** Longest message kept for a parked event: enough to name the fault, too short to carry a payload. */
const MAX_MESSAGE_LENGTH = 200;

export function classifyApplyFailure(error: unknown): ApplyFailure {
  if (typeof error !== 'object' || error === null) return { action: 'retry' };
  const code = (error as { code?: unknown }).code;
  const message = String((error as { message?: unknown }).message ?? '');
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    // A SQLSTATE: the server judged the statement.
    return PARKED_SQLSTATE_CLASSES.has(code.slice(0, 2)) ? { action: 'park', code: `SQLSTATE.${code}`, message: redactValues(message) } : { action: 'retry' };
  }
  // No SQLSTATE: a socket error (ECONNRESET…), pg's "Connection terminated", a timeout — or the projection's own code.
  if (typeof code === 'string') return { action: 'retry' };
  if (PARKED_JS_ERRORS.some((kind) => error instanceof kind)) {
    return { action: 'park', code: `PROJECTION.${(error as Error).name.toUpperCase()}`, message: redactValues(message) };
  }
  return { action: 'retry' };
}

/**
 * A message without the values it quotes: PostgreSQL's data errors quote the offending input
 * (`invalid input syntax for type timestamp: "…"`), which is a tenant's payload and must not be shown or logged.
 */
export function redactValues(message: string): string {
  const redacted = message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
  return redacted.length > MAX_MESSAGE_LENGTH ? `${redacted.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : redacted;
}
