import type { PoolClient } from 'pg';

/** Stable 32-bit key for a runner's advisory lock (session-level: it ends with its connection). */
export function lockKey(name: string): number {
  let hash = 0x2f1a;
  for (const char of `projection:${name}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/** The runner's lock for `name`: one active runner per projection across processes, the others on standby. */
export function advisoryLock(name: string) {
  const key = lockKey(name);
  return {
    async tryTake(client: PoolClient): Promise<boolean> {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
      return rows[0].locked;
    },
    async release(client: PoolClient): Promise<void> {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    },
  };
}
