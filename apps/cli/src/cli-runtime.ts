import { type AppConfig, createPool, loadConfig, openDatabase } from '@rework-ledger/platform';
import { migrateAll } from '@rework-ledger/runtime';
import { ApiKeyEntity, createTenantSettingsStore, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE, TenantSettingsEntity, type TenantSettingsStore } from '@rework-ledger/tenancy';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/** What a CLI command works with: the database of DATABASE_URL (or the embedded one of `npm start`), migrated. */
export type CliRuntime = Readonly<{
  config: AppConfig;
  pool: Pool;
  dataSource: DataSource;
  tenantSettings: TenantSettingsStore;
  close(): Promise<void>;
}>;

/** Opens the database the way the API does (same config), applies the migrations, and gives back what commands need. */
export async function openCliRuntime(): Promise<CliRuntime> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  const pool = createPool(database.url, { max: 6, connectionTimeoutMs: config.databasePools.timeoutMs });
  const dataSource = new DataSource({ type: 'postgres', url: database.url, entities: [ApiKeyEntity, TenantSettingsEntity], synchronize: false, extra: { max: 2 } });
  try {
    await migrateAll(pool);
    await dataSource.initialize();
  } catch (error) {
    await pool.end().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
  const defaults = config.tenantDefaults;
  return {
    config,
    pool,
    dataSource,
    tenantSettings: createTenantSettingsStore(dataSource, {
      currency: defaults.currency,
      defaultHourlyCost: defaults.hourlyCost,
      privacyMinGroupSize: defaults.privacyMinGroupSize,
      minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE,
    }),
    async close() {
      await dataSource.destroy().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await database.close();
    },
  };
}

/** A string option, trimmed; undefined when absent or empty. */
export function stringOption(options: Readonly<Record<string, string | boolean | undefined>>, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
