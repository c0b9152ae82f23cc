import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createPostgresEventStore, EVENT_STORE, type EventStore, migrateEventStore } from '@rework-ledger/event-store';
import { connectEventStoreDb, createEventStoreDbEventStore, type EventStoreDbConnection } from '@rework-ledger/event-store-eventstoredb';
import { CONFIG_DEFAULTS, CONNECTION_TIMEOUT_MS, createPool, type EventStoreConfig, poolConnectionSettings, READ_SESSION_OPTIONS } from '@rework-ledger/platform';
import { createProjectionRunner, migrateProjections, type Projection, PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import {
  API_KEYS,
  ApiKeyEntity,
  createApiKeys,
  createTenantSettingsStore,
  type PlatformDefaults,
  TENANCY_MIGRATIONS,
  TENANT_SETTINGS,
  TenantSettingsEntity,
} from '@rework-ledger/tenancy';
import { runMigrations } from '@rework-ledger/platform';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

export type RuntimeOptions = Readonly<{
  databaseUrl: string;
  defaults: PlatformDefaults;
  /** The read models this process keeps up to date (the API and the projector); none for a pure ingestor. */
  projections: readonly Projection[];
  /** Where events are appended and read: `config.eventStore` (EVENT_STORE). Default: PostgreSQL. */
  eventStore?: EventStoreConfig;
  /**
   * Whether this process applies its projections (default true). False: its runners still report status and take
   * rebuild requests, and another process (the projector) holds the runner locks and applies them (RUN_PROJECTIONS).
   */
  runProjections?: boolean;
  /** How long a valid API key is cached (API_KEY_CACHE_SECONDS); default 30 s. */
  apiKeyCacheMs?: number;
  /** Connections of the read pool, TypeORM's, which answers the queries (DATABASE_READ_POOL_SIZE); default 10. */
  readPoolSize?: number;
  /** How long a request waits to connect, or for a free connection, in either pool (DATABASE_POOL_TIMEOUT_MS); default 10 s. */
  poolTimeoutMs?: number;
}>;

export const PG_POOL = Symbol('PgPool');
/** The EventStoreDB connection when EVENT_STORE=eventstoredb: `{ connection }`, else `{}`. */
export const EVENTSTOREDB_CONNECTION = Symbol('EventStoreDbConnection');
export const RUNTIME_OPTIONS = Symbol('RuntimeOptions');
/**
 * TypeORM's DataSource once the migrations have run (tenancy's tables exist): what reads or writes through TypeORM is
 * built from it. PG_POOL itself resolves only after the migrations, so what is built from the pool is ordered too.
 */
const MIGRATED_DATA_SOURCE = Symbol('MigratedDataSource');

/** Applies every component's schema migrations. Idempotent; safe when several processes start together. */
export async function migrateAll(pool: Pool): Promise<void> {
  await migrateEventStore(pool);
  await migrateProjections(pool);
  await runMigrations(pool, 'tenancy', TENANCY_MIGRATIONS);
}

/**
 * The infrastructure every app shares: the pg pool (hot paths), the event store, TypeORM for the read side,
 * tenancy, and the projection runners. Migrations run before anything else uses the database.
 */
@Global()
@Module({})
export class RuntimeModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('runtime');

  constructor(
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENTSTOREDB_CONNECTION) private readonly eventStoreDb: { connection?: EventStoreDbConnection },
  ) {}

  static forRoot(options: RuntimeOptions): DynamicModule {
    const poolTimeoutMs = options.poolTimeoutMs ?? CONNECTION_TIMEOUT_MS;
    return {
      module: RuntimeModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.databaseUrl,
          entities: [ApiKeyEntity, TenantSettingsEntity],
          synchronize: false,
          extra: {
            max: options.readPoolSize ?? CONFIG_DEFAULTS.DATABASE_READ_POOL_SIZE,
            application_name: 'rework-ledger-read',
            options: READ_SESSION_OPTIONS,
            ...poolConnectionSettings(poolTimeoutMs),
          },
        }),
      ],
      providers: [
        { provide: RUNTIME_OPTIONS, useValue: options },
        {
          provide: PG_POOL,
          useFactory: async () => {
            const logger = new Logger('database');
            const pool = createPool(options.databaseUrl, {
              max: 10,
              connectionTimeoutMs: poolTimeoutMs,
              onIdleConnectionError: (error) => logger.warn(`an idle connection was ended by the server (${error.message}); the pool opens a new one when needed`),
            });
            await migrateAll(pool);
            return pool;
          },
        },
        {
          provide: EVENTSTOREDB_CONNECTION,
          useFactory: () => (options.eventStore?.kind === 'eventstoredb' ? { connection: connectEventStoreDb(options.eventStore.connectionString) } : {}),
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL, EVENTSTOREDB_CONNECTION],
          useFactory: async (pool: Pool, eventStoreDb: { connection?: EventStoreDbConnection }) => {
            if (!eventStoreDb.connection) return createPostgresEventStore({ pool });
            const store = createEventStoreDbEventStore({ connection: eventStoreDb.connection });
            // Fail at start, with the reason, rather than at the first append (shutdown hooks will not run: let go here).
            await store.headPosition().catch(async (error: unknown) => {
              await eventStoreDb.connection?.dispose().catch(() => undefined);
              await pool.end().catch(() => undefined);
              throw new Error(`EVENT_STORE=eventstoredb: cannot read from EventStoreDB (EVENTSTORE_CONNECTION_STRING): ${(error as Error).message ?? String(error)}`);
            });
            return store;
          },
        },
        // The one provider that only orders: PG_POOL resolves once every migration has run.
        { provide: MIGRATED_DATA_SOURCE, inject: [DataSource, PG_POOL], useFactory: (dataSource: DataSource, _migratedPool: Pool) => dataSource },
        {
          provide: API_KEYS,
          inject: [MIGRATED_DATA_SOURCE],
          useFactory: (dataSource: DataSource) => createApiKeys(dataSource, options.apiKeyCacheMs === undefined ? {} : { ttlMs: options.apiKeyCacheMs }),
        },
        {
          provide: TENANT_SETTINGS,
          inject: [MIGRATED_DATA_SOURCE],
          useFactory: (dataSource: DataSource) => createTenantSettingsStore(dataSource, options.defaults),
        },
        {
          provide: PROJECTION_RUNNERS,
          inject: [PG_POOL, EVENT_STORE],
          useFactory: (pool: Pool, store: EventStore) =>
            options.projections.map((projection) =>
              createProjectionRunner({
                pool,
                store,
                projection,
                onError: (error) => new Logger(`projection:${projection.name}`).error((error as Error).message ?? String(error)),
                // Names the event and why, never its payload (nor the message: it may describe a tenant's data).
                onParked: (parked, context) =>
                  new Logger(`projection:${projection.name}`).warn(
                    `event parked${context.rebuilding ? ' by a rebuild' : ''}: position ${parked.position.transactionId}/${parked.position.globalPosition}, tenant ${parked.tenant}, code ${parked.code}`,
                  ),
              }),
            ),
        },
      ],
      exports: [PG_POOL, EVENT_STORE, EVENTSTOREDB_CONNECTION, API_KEYS, TENANT_SETTINGS, PROJECTION_RUNNERS, RUNTIME_OPTIONS],
    };
  }

  onApplicationBootstrap(): void {
    if (this.runners.length === 0) return;
    if (this.options.runProjections === false) {
      this.logger.log(`projection runners not started here (RUN_PROJECTIONS=false): ${this.runners.map((r) => r.name).join(', ')}`);
      return;
    }
    for (const runner of this.runners) runner.start();
    this.logger.log(`projection runners started: ${this.runners.map((r) => r.name).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.store.close();
    await this.eventStoreDb.connection?.dispose();
    await this.pool.end();
  }
}
