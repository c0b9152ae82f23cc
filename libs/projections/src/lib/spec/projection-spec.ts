import type { StoredEvent } from '@rework-ledger/event-store';
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { AnalyzePolicy, analyzeSchema } from '../analyze-policy';
import { classifyApplyFailure } from '../apply-failure';
import { applyAndPark } from '../apply-batch';
import { type ParkedEvent, promoteStagedParked } from '../parked-events';
import type { Projection } from '../projection';
import { migrateProjections } from '../projection-runner';
import { createReadModelSchema, schemaExists } from '../read-model-schema';

/** An event as a test gives it: only its type and data are required. */
export type GivenEvent = Readonly<{
  type: string;
  data: Readonly<Record<string, unknown>>;
  /** Default `tenant-a`. */
  tenant?: string;
  /** Default: 2026-01-01T00:00Z plus one minute per event given before it. */
  time?: Date | string;
  /** Default `urn:projection-spec`. */
  source?: string;
  /** Default `e-<n>`, n its rank among the events given. */
  id?: string;
  streamId?: string;
  subject?: string;
}>;

export type ProjectionSpecOptions = Readonly<{
  /** A pool on a migrated database (the parked events' table is migrated if missing). */
  pool: Pool;
  /** Events applied per batch (a batch per call of `apply`, as the runner's); default 1000. */
  batchSize?: number;
  /** `live` (default): applied as the live runner does; `rebuild`: as a rebuild fills its shadow, then completed. */
  mode?: 'live' | 'rebuild';
  /** As for a store that may hold an event twice (EventStoreDB): keys already applied are skipped. */
  repeatsPossible?: boolean;
  /**
   * Where each projection is filled. `fresh` (default): a schema of a random name, first on the search path.
   * `live`: the projection's own schema (`projection.schema`), for the read model's queries, which name it; it is
   * created inside the scenario's transaction and gone at its rollback, so it must not exist in the test database
   * (refused if it does: a runner of the same database would be using it).
   */
  schema?: 'fresh' | 'live';
}>;

/**
 * What a scenario's checks get: its connection (inside the scenario's transaction), the schema it filled (the first
 * projection's) and, by projection name, every projection's schema.
 */
export type SpecDatabase = Readonly<{ client: PoolClient; schema: string; schemas: Readonly<Record<string, string>> }>;

/** One projection, or several filled side by side from the same events (queries that join their read models). */
export type SpecProjections = Projection | readonly Projection[];

export interface ProjectionScenario {
  /** More events, applied after the given ones (a batch boundary between them). */
  when(events: readonly GivenEvent[]): ProjectionScenario;
  /**
   * Applies the events in one transaction, in a fresh schema (or the projection's own, see `schema`), runs `check`
   * in it (the schemas are first on the search path: their tables can be named unqualified), then rolls everything
   * back.
   */
  then<T>(check: (db: SpecDatabase) => Promise<T>): Promise<T>;
  /** The rows a query returns on the read model (its tables named unqualified). */
  thenRows<R extends QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** The events parked, in store order. */
  thenParked(): Promise<ParkedEvent[]>;
}

const migrated = new WeakMap<Pool, Promise<void>>();
const DAY_ONE = Date.parse('2026-01-01T00:00:00Z');

/** Stored events from given ones, with increasing positions (one transaction each). */
export function storedEvents(events: readonly GivenEvent[], startAt = 0): StoredEvent[] {
  return events.map((event, index) => {
    const n = startAt + index + 1;
    const time = event.time === undefined ? new Date(DAY_ONE + (n - 1) * 60_000) : new Date(event.time);
    return {
      tenant: event.tenant ?? 'tenant-a',
      streamId: event.streamId ?? `stream-${n}`,
      streamVersion: 1n,
      position: { transactionId: BigInt(n), globalPosition: BigInt(n) },
      id: event.id ?? `e-${n}`,
      source: event.source ?? 'urn:projection-spec',
      type: event.type,
      time,
      ...(event.subject === undefined ? {} : { subject: event.subject }),
      data: event.data,
      recordedAt: time,
    };
  });
}

/**
 * Applies events to a projection as its runner would — the contract check, parking, batches, a rebuild's bulk mode
 * and set-based end — in one transaction, without a runner, a store or any waiting. Given events, when more events,
 * then rows:
 *
 *     const spec = projectionSpec(countsProjection, { pool });
 *     expect(await spec.given([{ type: 'test.counted', data: {} }]).thenRows('SELECT * FROM counts')).toEqual([…]);
 */
export function projectionSpec(projection: SpecProjections, options: ProjectionSpecOptions): { given(events: readonly GivenEvent[]): ProjectionScenario } {
  const scenario = (parts: readonly (readonly GivenEvent[])[]): ProjectionScenario => {
    const run = <T>(check: (db: SpecDatabase) => Promise<T>) => runScenario(projection, options, parts, check);
    return {
      when: (events) => scenario([...parts, events]),
      then: async (check) => (await run(check)).result,
      thenRows: async <R extends QueryResultRow>(sql: string, params?: unknown[]) => (await run(async ({ client }) => (await client.query<R>(sql, params)).rows)).result,
      thenParked: async () => (await run(async () => undefined)).parked,
    };
  };
  return { given: (events) => scenario([events]) };
}

/** Runs a scenario in one transaction on a connection of its own, rolled back at the end whatever happens. */
export async function runScenario<T>(
  projections: SpecProjections,
  options: ProjectionSpecOptions,
  parts: readonly (readonly GivenEvent[])[],
  check: (db: SpecDatabase) => Promise<T>,
): Promise<{ result: T; parked: ParkedEvent[] }> {
  const { pool } = options;
  if (!migrated.has(pool)) migrated.set(pool, migrateProjections(pool));
  await migrated.get(pool);
  const list: readonly Projection[] = Array.isArray(projections) ? projections : [projections as Projection];
  if (list.length === 0) throw new Error('projectionSpec: no projection given');
  const schemas: Record<string, string> = {};
  for (const projection of list) schemas[projection.name] = options.schema === 'live' ? projection.schema : `spec_${randomBytes(5).toString('hex')}`;
  let taken = 0;
  const batches: StoredEvent[][] = [];
  const batchSize = options.batchSize ?? 1000;
  for (const part of parts) {
    const events = storedEvents(part, taken);
    taken += events.length;
    for (let at = 0; at < events.length; at += batchSize) batches.push(events.slice(at, at + batchSize));
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const parked: ParkedEvent[] = [];
    for (const projection of list) {
      const schema = schemas[projection.name];
      if (options.schema === 'live' && (await schemaExists(client, schema))) {
        throw new Error(`projectionSpec: schema ${schema} exists in the test database; a scenario with schema 'live' creates it in its transaction`);
      }
      const fill = options.mode === 'rebuild' ? fillAsRebuild : fillAsLive;
      parked.push(...(await fill(client, projection, schema, batches, options)));
    }
    const path = list.map((projection) => `"${schemas[projection.name]}"`).join(', ');
    await client.query(`SET LOCAL search_path TO ${path}, public`);
    const result = await check({ client, schema: schemas[list[0].name], schemas });
    return { result, parked };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

async function fillAsLive(client: PoolClient, projection: Projection, schema: string, batches: readonly StoredEvent[][], options: ProjectionSpecOptions): Promise<ParkedEvent[]> {
  await createReadModelSchema(client, projection, schema, options.repeatsPossible ?? false);
  // Analyzed as it grows, as the runner's live path does (the planner's statistics shape how each batch applies).
  const analyze = new AnalyzePolicy();
  const parked: ParkedEvent[] = [];
  for (const events of batches) {
    const batch = await applyAndPark(client, projection, schema, events, { skipRepeats: options.repeatsPossible });
    parked.push(...batch.parked);
    if (analyze.applied(schema, batch.firstTime)) await analyzeSchema(client, schema);
  }
  return parked;
}

/**
 * As the runner's rebuild (`fillShadow`): staged parking, the bulk mode and set-based end of a projection that has
 * one, and when that end fails on a data fault, the schema filled again batch by batch as live; then what it parked
 * promoted, as at the swap.
 */
async function fillAsRebuild(client: PoolClient, projection: Projection, schema: string, batches: readonly StoredEvent[][], options: ProjectionSpecOptions): Promise<ParkedEvent[]> {
  let bulk = projection.completeRebuild !== undefined;
  await client.query('SAVEPOINT projection_spec_fill');
  for (;;) {
    await createReadModelSchema(client, projection, schema, options.repeatsPossible ?? false);
    const parked: ParkedEvent[] = [];
    for (const events of batches) {
      const batch = await applyAndPark(client, projection, schema, events, { context: { rebuilding: bulk }, staged: true, skipRepeats: options.repeatsPossible });
      parked.push(...batch.parked);
    }
    const complete = projection.completeRebuild;
    if (bulk && complete) {
      try {
        await client.query('SAVEPOINT projection_spec_complete');
        await complete(client, schema);
        await client.query('RELEASE SAVEPOINT projection_spec_complete');
      } catch (error) {
        if (classifyApplyFailure(error).action === 'retry') throw error;
        await client.query('ROLLBACK TO SAVEPOINT projection_spec_fill');
        bulk = false;
        continue;
      }
    }
    await promoteStagedParked(client, projection.name);
    return parked;
  }
}
