import type { Pool, PoolClient } from 'pg';
import { isShadowSchema } from './read-model-schema';

const FIRST_ANALYZE_AT = 2000;
const DOUBLING_UNTIL = 256_000;

/**
 * When to analyze a schema's tables. Freshly filled tables have no planner statistics, and queries on them pick
 * nested loops over thousands of rows: a schema is analyzed as it grows (after 2k events applied to it, 4k, 8k, …
 * then every 256k), in the batch's transaction so that the statistics are there when its rows become visible. A
 * schema being rebuilt is analyzed once, when it is complete (nobody queries it before).
 */
export class AnalyzePolicy {
  private readonly growth = new Map<string, { applied: number; next: number }>();

  /** Counts `applied` events into `schema`; true when its tables are to be analyzed now. */
  applied(schema: string, applied: number): boolean {
    if (isShadowSchema(schema)) return false;
    const growth = this.growth.get(schema) ?? { applied: 0, next: FIRST_ANALYZE_AT };
    growth.applied += applied;
    this.growth.set(schema, growth);
    if (growth.applied < growth.next) return false;
    growth.next = growth.next < DOUBLING_UNTIL ? growth.next * 2 : growth.next + DOUBLING_UNTIL;
    return true;
  }

  /** A schema created afresh (or dropped): its count starts again. */
  forget(schema: string): void {
    this.growth.delete(schema);
  }

  /** A rebuilt schema swapped in, analyzed with `applied` events: next analyzed when it has doubled. */
  rebuilt(schema: string, applied: number): void {
    this.growth.set(schema, { applied, next: Math.max(FIRST_ANALYZE_AT, applied * 2) });
  }
}

async function tablesOf(client: PoolClient, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
  return rows.map((row) => row.tablename);
}

export async function analyzeSchema(client: PoolClient, schema: string): Promise<void> {
  for (const table of await tablesOf(client, schema)) await client.query(`ANALYZE "${schema}"."${table}"`);
}

/**
 * A committed schema's tables analyzed on two connections at once (the runner's and one from the pool): what a
 * rebuild does before its swap, while nothing else waits on the runner's connection.
 */
export async function analyzeSchemaBeside(pool: Pool, client: PoolClient, schema: string): Promise<void> {
  const tables = await tablesOf(client, schema);
  const analyzeNext = async (connection: PoolClient) => {
    try {
      for (let table = tables.shift(); table !== undefined; table = tables.shift()) await connection.query(`ANALYZE "${schema}"."${table}"`);
    } catch (error) {
      tables.length = 0; // the other connection stops after its current table
      throw error;
    }
  };
  const other = await pool.connect();
  // Both settle before the pool's connection goes back (a failure on one must not release the other mid-query).
  const results = await Promise.allSettled([analyzeNext(client), analyzeNext(other)]);
  other.release(results[1].status === 'rejected' ? (results[1].reason as Error) : undefined);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}
