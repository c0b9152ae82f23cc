import { Pool, types } from 'pg';
import { CONFIG_DEFAULTS } from '../config/configuration-variables';

// bigint columns (positions, counts) arrive as strings by default; parse int8 as BigInt-safe strings stay strings,
// and numeric stays a string too: callers convert where they know the range.

/**
 * Session settings of the read side's connections. JIT compilation off: PostgreSQL compiles a query whose estimated
 * cost passes jit_above_cost, and the metrics queries over the rollups are estimated far above what they cost (a
 * subplan run for no row at all) — measured on the bench organisation, JIT turned a 65 ms answer into 2.3 s.
 */
export const READ_SESSION_OPTIONS = '-c jit=off';

/**
 * How long a request waits to connect, or for a free connection of a full pool, before it fails (DATABASE_POOL_TIMEOUT_MS
 * when the app passes its configuration; this default otherwise).
 */
export const CONNECTION_TIMEOUT_MS = CONFIG_DEFAULTS.DATABASE_POOL_TIMEOUT_MS;

/**
 * Settings of every pool of the services (this one's, and TypeORM's through its `extra`): a server that cannot be
 * reached (a failover to another address, a partition) fails a request in seconds rather than when the operating
 * system gives up (minutes); keep-alive finds half-open connections. pg-pool applies the one timeout to both waits:
 * for a new connection, and for a free one of a full pool (isPoolExhausted tells the two failures apart).
 */
export function poolConnectionSettings(connectionTimeoutMs: number = CONNECTION_TIMEOUT_MS): Readonly<{ connectionTimeoutMillis: number; keepAlive: true }> {
  return { connectionTimeoutMillis: connectionTimeoutMs, keepAlive: true };
}

export type PoolOptions = {
  max?: number;
  applicationName?: string;
  /** Session settings, as libpq's `options` (`-c name=value`). */
  sessionOptions?: string;
  /** How long to wait to connect, or for a free connection (default CONNECTION_TIMEOUT_MS). */
  connectionTimeoutMs?: number;
  /** Hears the error of an idle connection the server ended (default: one line on stderr, the error's message only). */
  onIdleConnectionError?: (error: Error) => void;
};

/**
 * A pg pool for the hot paths (event store, projections). An idle connection that the server ends (a restart, a
 * failover, an administrator) is dropped from the pool, which opens a new one when next asked; its error goes to
 * `onIdleConnectionError` — a pool or connection nobody listens to would throw it at the process and bring the
 * service down.
 */
export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString,
    max: options.max ?? 10,
    ...poolConnectionSettings(options.connectionTimeoutMs),
    application_name: options.applicationName ?? 'rework-ledger',
    ...(options.sessionOptions ? { options: options.sessionOptions } : {}),
  });
  pool.on('error', options.onIdleConnectionError ?? ((error: Error) => console.warn(`[database] an idle connection was ended by the server: ${error.message}`)));
  // A connection in use when the server ends it emits the error as well: its queries fail, for the caller to handle
  // (the runner, for one, gives the connection back as broken and takes a new one). Heard here so that it never
  // reaches the process as an unhandled 'error' event.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export { types as pgTypes };
