import { Pool, types } from 'pg';

// bigint columns (positions, counts) arrive as strings by default; parse int8 as BigInt-safe strings stay strings,
// and numeric stays a string too: callers convert where they know the range.

/** A pg pool for the hot paths (event store, projections). */
export function createPool(connectionString: string, options: { max?: number; applicationName?: string } = {}): Pool {
  return new Pool({ connectionString, max: options.max ?? 10, application_name: options.applicationName ?? 'rework-ledger' });
}

export { types as pgTypes };
