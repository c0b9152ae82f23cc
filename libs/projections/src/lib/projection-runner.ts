import { type EventStore, type Position, START, type StoredEvent } from '@rework-ledger/event-store';
import { runMigrations } from '@rework-ledger/platform';
import type { Pool, PoolClient } from 'pg';
import { PROJECTIONS_MIGRATIONS } from './checkpoints.migrations';
import type { Projection } from './projection';

export type ProjectionStatus = Readonly<{
  name: string;
  version: number;
  /** running: this process holds the runner lock; standby: another process does; stopped: not started here. */
  state: 'running' | 'standby' | 'stopped';
  rebuilding: boolean;
  position: { transactionId: string; globalPosition: string };
  eventsApplied: number;
  eventsBehind: number;
  secondsBehind: number;
  updatedAt: string | null;
  rebuild: { requestedAt: string | null; startedAt: string | null; eventsApplied: number | null; lastRebuiltAt: string | null };
  lastError: string | null;
}>;

export type ProjectionRunnerOptions = Readonly<{
  pool: Pool;
  store: EventStore;
  projection: Projection;
  batchSize?: number;
  /** How often an idle runner looks for new events, and a standby runner for the lock. */
  idlePollMs?: number;
  onError?: (error: unknown) => void;
}>;

export interface ProjectionRunner {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  /** Wakes an idle runner at once (new events were appended in this process). */
  wake(): void;
  /** Asks the active runner (in any process) to rebuild the read model from zero beside the live one. */
  requestRebuild(): Promise<void>;
  status(): Promise<ProjectionStatus>;
  /** Resolves once the runner has applied every event visible now (for tests, the demo loader, benchmarks). */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
}

/** Migrates the checkpoint table. Call once at start, before creating runners. */
export async function migrateProjections(pool: Pool): Promise<void> {
  await runMigrations(pool, 'projections', PROJECTIONS_MIGRATIONS);
}

/** Stable 32-bit key for the runner's advisory lock. */
function lockKey(name: string): number {
  let hash = 0x2f1a;
  for (const char of `projection:${name}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

const REBUILD_SUFFIX = '__rebuild';
const RETIRED_SUFFIX = '__retired';

/**
 * Keeps one projection up to date: one active runner per projection across processes (advisory lock), the
 * checkpoint written in the same transaction as the read-model changes, and rebuilds built beside the live schema
 * and swapped in atomically, so queries never see an empty read model.
 */
export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { pool, store, projection } = options;
  const batchSize = options.batchSize ?? 2000;
  const idlePollMs = options.idlePollMs ?? 250;
  const reportError = options.onError ?? (() => undefined);
  const key = lockKey(projection.name);

  let state: ProjectionStatus['state'] = 'stopped';
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let rebuilding = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  async function ensureCheckpointRow(client: PoolClient): Promise<void> {
    await client.query('INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [projection.name]);
  }

  async function schemaExists(client: PoolClient, schema: string): Promise<boolean> {
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return (rowCount ?? 0) > 0;
  }

  async function createSchema(client: PoolClient, schema: string): Promise<void> {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`CREATE SCHEMA "${schema}"`);
    await projection.createTables(client, schema);
  }

  async function readCheckpoint(client: PoolClient): Promise<Position> {
    const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
      'SELECT transaction_id, global_position FROM projection_checkpoints WHERE name = $1',
      [projection.name],
    );
    const row = rows[0];
    return row ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) } : START;
  }

  /** Applies a batch and records how far it got, atomically. */
  async function applyInTransaction(
    client: PoolClient,
    schema: string,
    events: readonly StoredEvent[],
    recordProgress: (last: Position, count: number) => Promise<unknown>,
  ): Promise<void> {
    await client.query('BEGIN');
    try {
      await projection.apply(client, schema, events);
      await recordProgress(events[events.length - 1].position, events.length);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  const moveLiveCheckpoint = (client: PoolClient) => (last: Position, count: number) =>
    client.query(
      `UPDATE projection_checkpoints
          SET transaction_id = $2, global_position = $3, events_applied = events_applied + $4, updated_at = now(), last_error = NULL
        WHERE name = $1`,
      [projection.name, last.transactionId.toString(), last.globalPosition.toString(), count],
    );
  // The rebuild's own position is kept in memory: a rebuild interrupted by a crash starts again from zero.
  const countRebuildProgress = (client: PoolClient) => (_last: Position, count: number) =>
    client.query('UPDATE projection_checkpoints SET rebuild_events_applied = COALESCE(rebuild_events_applied, 0) + $2 WHERE name = $1', [
      projection.name,
      count,
    ]);

  async function rebuild(client: PoolClient): Promise<void> {
    rebuilding = true;
    const shadow = `${projection.schema}${REBUILD_SUFFIX}`;
    try {
      await client.query(
        'UPDATE projection_checkpoints SET rebuild_started_at = now(), rebuild_events_applied = 0 WHERE name = $1',
        [projection.name],
      );
      await createSchema(client, shadow);
      let position: Position = START;
      let applied = 0;
      for (;;) {
        if (stopping) return;
        const events = await store.readAll({ after: position, limit: batchSize });
        if (events.length === 0) break;
        await applyInTransaction(client, shadow, events, countRebuildProgress(client));
        position = events[events.length - 1].position;
        applied += events.length;
      }
      // Swap: the rebuilt schema becomes the live one, with the checkpoint it reached, in one transaction.
      const retired = `${projection.schema}${RETIRED_SUFFIX}`;
      await client.query('BEGIN');
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${retired}" CASCADE`);
        await client.query(`ALTER SCHEMA "${projection.schema}" RENAME TO "${retired}"`);
        await client.query(`ALTER SCHEMA "${shadow}" RENAME TO "${projection.schema}"`);
        await client.query(`DROP SCHEMA "${retired}" CASCADE`);
        await client.query(
          `UPDATE projection_checkpoints
              SET transaction_id = $2, global_position = $3, events_applied = $4, updated_at = now(), projection_version = $5,
                  rebuild_requested_at = NULL, rebuild_started_at = NULL, last_rebuilt_at = now(), last_error = NULL
            WHERE name = $1`,
          [projection.name, position.transactionId.toString(), position.globalPosition.toString(), applied, projection.version],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      rebuilding = false;
    }
  }

  async function rebuildRequested(client: PoolClient): Promise<boolean> {
    const { rows } = await client.query<{ requested: boolean }>(
      'SELECT rebuild_requested_at IS NOT NULL AS requested FROM projection_checkpoints WHERE name = $1',
      [projection.name],
    );
    return rows[0]?.requested ?? false;
  }

  async function runWhileLocked(client: PoolClient): Promise<void> {
    await ensureCheckpointRow(client);
    if (!(await schemaExists(client, projection.schema))) {
      // A read model without its schema (first start) is built from zero.
      await client.query(
        'UPDATE projection_checkpoints SET transaction_id = 0, global_position = 0, events_applied = 0, projection_version = $2 WHERE name = $1',
        [projection.name, projection.version],
      );
      await createSchema(client, projection.schema);
    } else {
      const { rows } = await client.query<{ projection_version: number | null }>('SELECT projection_version FROM projection_checkpoints WHERE name = $1', [projection.name]);
      if (rows[0]?.projection_version !== projection.version) {
        // Built by another version of the code: rebuild beside it; it keeps answering until the swap.
        await client.query('UPDATE projection_checkpoints SET rebuild_requested_at = COALESCE(rebuild_requested_at, now()) WHERE name = $1', [projection.name]);
      }
    }
    let position = await readCheckpoint(client);
    let backoffMs = idlePollMs;
    while (!stopping) {
      try {
        if (await rebuildRequested(client)) {
          await rebuild(client);
          position = await readCheckpoint(client);
          continue;
        }
        const events = await store.readAll({ after: position, limit: batchSize });
        if (events.length === 0) {
          await sleep(idlePollMs);
          continue;
        }
        await applyInTransaction(client, projection.schema, events, moveLiveCheckpoint(client));
        position = events[events.length - 1].position;
        backoffMs = idlePollMs;
      } catch (error) {
        reportError(error);
        await client
          .query('UPDATE projection_checkpoints SET last_error = $2 WHERE name = $1', [projection.name, String((error as Error).message ?? error)])
          .catch(() => undefined);
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
        position = await readCheckpoint(client);
      }
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let client: PoolClient | undefined;
      try {
        client = await pool.connect();
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
        if (!rows[0].locked) {
          state = 'standby';
          client.release();
          client = undefined;
          await sleep(Math.max(idlePollMs, 1000));
          continue;
        }
        state = 'running';
        await runWhileLocked(client);
        await client.query('SELECT pg_advisory_unlock($1)', [key]);
      } catch (error) {
        reportError(error);
        // A broken connection drops the lock with it: release it as broken and try again.
        client?.release(error as Error);
        client = undefined;
        await sleep(1000);
      } finally {
        client?.release();
      }
    }
    state = 'stopped';
  }

  return {
    name: projection.name,
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      loop = undefined;
      state = 'stopped';
    },
    wake() {
      wakeUp?.();
    },
    async requestRebuild() {
      await pool.query(
        `INSERT INTO projection_checkpoints (name, rebuild_requested_at) VALUES ($1, now())
         ON CONFLICT (name) DO UPDATE SET rebuild_requested_at = COALESCE(projection_checkpoints.rebuild_requested_at, now())`,
        [projection.name],
      );
      wakeUp?.();
    },
    async status() {
      const { rows } = await pool.query(
        `SELECT transaction_id, global_position, events_applied, updated_at, rebuild_requested_at, rebuild_started_at,
                rebuild_events_applied, last_rebuilt_at, last_error
           FROM projection_checkpoints WHERE name = $1`,
        [projection.name],
      );
      const row = rows[0];
      const position: Position = row
        ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }
        : START;
      const lag = await store.lagAfter(position);
      const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);
      return {
        name: projection.name,
        version: projection.version,
        state,
        rebuilding: rebuilding || Boolean(row?.rebuild_started_at),
        position: { transactionId: position.transactionId.toString(), globalPosition: position.globalPosition.toString() },
        eventsApplied: Number(row?.events_applied ?? 0),
        eventsBehind: lag.events,
        secondsBehind: lag.oldestRecordedAt ? Math.max(0, (Date.now() - lag.oldestRecordedAt.getTime()) / 1000) : 0,
        updatedAt: iso(row?.updated_at),
        rebuild: {
          requestedAt: iso(row?.rebuild_requested_at),
          startedAt: iso(row?.rebuild_started_at),
          eventsApplied: row?.rebuild_events_applied == null ? null : Number(row.rebuild_events_applied),
          lastRebuiltAt: iso(row?.last_rebuilt_at),
        },
        lastError: row?.last_error ?? null,
      };
    },
    async waitUntilCaughtUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const head = await store.lastCommittedPosition();
      for (;;) {
        const { rows } = await pool.query<{ transaction_id: string; global_position: string; rebuilding: boolean }>(
          'SELECT transaction_id, global_position, rebuild_requested_at IS NOT NULL AS rebuilding FROM projection_checkpoints WHERE name = $1',
          [projection.name],
        );
        const row = rows[0];
        if (row && !row.rebuilding) {
          const reached = { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) };
          const behind = reached.transactionId < head.transactionId || (reached.transactionId === head.transactionId && reached.globalPosition < head.globalPosition);
          if (!behind) return;
        }
        if (Date.now() > deadline) throw new Error(`projection ${projection.name} did not catch up within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
