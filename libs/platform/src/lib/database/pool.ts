import { Pool, types } from 'pg';

// bigint columns (positions, counts) arrive as strings by default; parse int8 as BigInt-safe strings stay strings,
// and numeric stays a string too: callers convert where they know the range.

/**
 * Session settings of the read side's connections. JIT compilation off: PostgreSQL compiles a query whose estimated
 * cost passes jit_above_cost, and the metrics queries over the rollups are estimated far above what they cost (a
 * subplan run for no row at all) — measured on the bench organisation, JIT turned a 65 ms answer into 2.3 s.
 */
export const READ_SESSION_OPTIONS = '-c jit=off';

/** A pg pool for the hot paths (event store, projections); `sessionOptions` as libpq's `options` (`-c name=value`). */
export function createPool(connectionString: string, options: { max?: number; applicationName?: string; sessionOptions?: string } = {}): Pool {
  return new Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'rework-ledger',
    ...(options.sessionOptions ? { options: options.sessionOptions } : {}),
  });
}

export { types as pgTypes };
