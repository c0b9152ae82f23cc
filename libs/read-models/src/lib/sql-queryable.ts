/** Anything that runs a parameterised SQL query and returns rows: a TypeORM DataSource, or a pg pool via {@link fromPgPool}. */
export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
}

/** Adapts a pg Pool or client to {@link SqlQueryable}. */
export function fromPgPool(pool: { query(sql: string, parameters?: unknown[]): Promise<{ rows: unknown[] }> }): SqlQueryable {
  return { query: async <T>(sql: string, parameters?: unknown[]) => (await pool.query(sql, parameters)).rows as T[] };
}
