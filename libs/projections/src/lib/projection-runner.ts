import { comparePositions, type EventStore, START } from '@rework-ledger/event-store';
import { runMigrations } from '@rework-ledger/platform';
import type { Pool } from 'pg';
import { AnalyzePolicy } from './analyze-policy';
import { CheckpointStore } from './checkpoint-store';
import { PROJECTIONS_MIGRATIONS } from './checkpoints.migrations';
import { runWhileLocked } from './live-loop';
import { PARKED_EVENTS_MIGRATIONS } from './parked-events.migrations';
import { NOTHING_PARKED, type ParkedEvent, parkedByTenant } from './parked-events';
import type { ApplyContext, Projection } from './projection';
import { type ProjectionStatus, projectionStatusOf, TENANT_LAG_COUNT_LIMIT, type TenantProjectionStatus, tenantStatusOf } from './projection-status';
import type { RunnerContext } from './runner-context';
import { advisoryLock } from './runner-lock';

export { type ProjectionStatus, TENANT_LAG_COUNT_LIMIT, type TenantProjectionStatus } from './projection-status';

export type ProjectionRunnerOptions = Readonly<{
  pool: Pool;
  store: EventStore;
  projection: Projection;
  batchSize?: number;
  /** How often an idle runner looks for new events, and a standby runner for the lock. */
  idlePollMs?: number;
  onError?: (error: unknown) => void;
  /** Told of each event set aside, once its transaction has committed (a log line, a counter). */
  onParked?: (parked: ParkedEvent, context: ApplyContext) => void;
}>;

export interface ProjectionRunner {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  /** Wakes an idle runner at once (new events were appended in this process). */
  wake(): void;
  /**
   * Asks the active runner (in any process) to rebuild the read model from zero beside the live one; with a tenant,
   * to re-project that tenant only (built beside, then its rows replaced in one transaction). This is also how its
   * parked events are retried after a fix.
   */
  requestRebuild(tenant?: string): Promise<void>;
  /** Every tenant's status (operators). */
  status(): Promise<ProjectionStatus>;
  /** One tenant's status. */
  tenantStatus(tenant: string): Promise<TenantProjectionStatus>;
  /** Adds a listener told of each parked event (the process's metrics). */
  addParkedListener(listener: (parked: ParkedEvent, context: ApplyContext) => void): void;
  /** Resolves once the runner has applied every event visible now (for tests, the demo loader, benchmarks). */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
}

/** Migrates the checkpoint table. Call once at start, before creating runners. */
export async function migrateProjections(pool: Pool): Promise<void> {
  await runMigrations(pool, 'projections', PROJECTIONS_MIGRATIONS);
  await runMigrations(pool, 'projection-parked-events', PARKED_EVENTS_MIGRATIONS);
}

/**
 * Keeps one projection up to date: one active runner per projection across processes (advisory lock), the
 * checkpoint written in the same transaction as the read-model changes, and rebuilds built beside the live schema
 * and swapped in atomically, so queries never see an empty read model. Its parts: the checkpoint store, the lock,
 * the live loop (`live-loop.ts`), rebuilds and tenant re-projections, the analyze policy, the status.
 */
export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { pool, store, projection } = options;
  const idlePollMs = options.idlePollMs ?? 250;
  const reportError = options.onError ?? (() => undefined);
  const parkedListeners = options.onParked ? [options.onParked] : [];
  const lock = advisoryLock(projection.name);
  const checkpoints = new CheckpointStore(projection.name);

  let state: ProjectionStatus['state'] = 'stopped';
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  /** Set when the server ends the locked connection (a restart) while the runner waits: the lock went with it. */
  let lockedConnectionLost: Error | undefined;

  const runner: RunnerContext = {
    pool,
    store,
    projection,
    batchSize: options.batchSize ?? 2000,
    checkpoints,
    analyze: new AnalyzePolicy(),
    skipRepeats: !store.deduplicatesOnAppend,
    stopping: () => stopping,
    reportError,
    notifyParked: (parked, context) => {
      for (const event of parked) for (const listener of parkedListeners) listener(event, context);
    },
  };

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
  const signals = { sleep, wake: () => wakeUp?.(), idlePollMs, connectionLost: () => lockedConnectionLost };

  const onLockedConnectionError = (error: Error): void => {
    lockedConnectionLost = error;
    wakeUp?.();
  };

  async function run(): Promise<void> {
    while (!stopping) {
      // Not `instanceof Error`: a socket error (ECONNREFUSED while the database restarts) may come from another realm
      // (under jest), and a connection taken for an error would crash this loop for good.
      const connected = await pool.connect().then((client) => ({ client }), (error: unknown) => ({ error }));
      if (!('client' in connected)) {
        reportError(connected.error);
        await sleep(1000);
        continue;
      }
      const { client } = connected;
      let broken: Error | undefined;
      let locked = false;
      try {
        locked = await lock.tryTake(client);
        state = locked ? 'running' : 'standby';
        if (locked) {
          // Only the connection that holds the lock is watched: its end is the lock's end.
          lockedConnectionLost = undefined;
          client.on('error', onLockedConnectionError);
          await runWhileLocked(runner, client, signals);
          await lock.release(client);
        }
      } catch (error) {
        reportError(error);
        // A broken connection drops the lock with it: give it back as broken and try again.
        broken = error as Error;
      } finally {
        client.removeListener('error', onLockedConnectionError);
        client.release(broken);
      }
      if (broken !== undefined) await sleep(1000);
      else if (!locked) await sleep(Math.max(idlePollMs, 1000));
    }
    state = 'stopped';
  }

  const identity = () => ({ name: projection.name, version: projection.version, state });

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
    async requestRebuild(tenant?: string) {
      if (tenant !== undefined) await checkpoints.requestTenantRebuild(pool, tenant);
      else await checkpoints.requestRebuild(pool);
      wakeUp?.();
    },
    async status() {
      const row = await checkpoints.statusRow(pool);
      const position = row?.position ?? START;
      const lag = await store.lagAfter(position);
      return projectionStatusOf(identity(), row, position, lag, await parkedByTenant(pool, projection.name), new Date());
    },
    async tenantStatus(tenant: string) {
      const row = await checkpoints.tenantStatusRow(pool, tenant);
      // This tenant's oldest event not applied yet: its lag alone, without the platform's volume.
      const behind = await store.readAll({ after: row.position, tenant, limit: TENANT_LAG_COUNT_LIMIT });
      const parked = (await parkedByTenant(pool, projection.name, tenant)).get(tenant) ?? NOTHING_PARKED;
      return tenantStatusOf(identity(), tenant, row, { count: behind.length, oldestRecordedAt: behind[0]?.recordedAt }, parked, new Date());
    },
    addParkedListener(listener) {
      parkedListeners.push(listener);
    },
    async waitUntilCaughtUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const head = await store.lastCommittedPosition();
      for (;;) {
        // Caught up means: built by this version of the projection, from this store, not rebuilding, at the head.
        const reached = await checkpoints.currentPosition(pool, projection.version, store.kind);
        if (reached && comparePositions(reached, head) >= 0) return;
        if (Date.now() > deadline) throw new Error(`projection ${projection.name} did not catch up within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
