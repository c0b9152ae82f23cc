import type { PoolClient } from 'pg';
import { createAppliedEventsTable } from './applied-events';
import type { Projection } from './projection';

const REBUILD_SUFFIX = '__rebuild';
/** Where one tenant's re-projection is built (one at a time per projection). */
const TENANT_REBUILD_SUFFIX = '__tenant_rebuild';
const RETIRED_SUFFIX = '__retired';

/** The schema a full rebuild fills beside the live one. */
export const rebuildSchemaOf = (projection: Projection): string => `${projection.schema}${REBUILD_SUFFIX}`;
/** The schema one tenant's re-projection fills beside the live one. */
export const tenantRebuildSchemaOf = (projection: Projection): string => `${projection.schema}${TENANT_REBUILD_SUFFIX}`;
/** A schema being filled beside the live one (nobody queries it before its swap). */
export const isShadowSchema = (schema: string): boolean => schema.endsWith(REBUILD_SUFFIX) || schema.endsWith(TENANT_REBUILD_SUFFIX);

export async function schemaExists(client: PoolClient, schema: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return (rowCount ?? 0) > 0;
}

/** `schema` created afresh with the projection's tables (and the applied keys' table when the store repeats events). */
export async function createReadModelSchema(client: PoolClient, projection: Projection, schema: string, withAppliedEvents: boolean): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`CREATE SCHEMA "${schema}"`);
  await projection.createTables(client, schema);
  if (withAppliedEvents) await createAppliedEventsTable(client, schema);
}

export async function dropSchema(client: PoolClient, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** In the caller's transaction: the rebuilt schema becomes the live one, and the old one is dropped. */
export async function swapInRebuilt(client: PoolClient, projection: Projection): Promise<void> {
  const retired = `${projection.schema}${RETIRED_SUFFIX}`;
  await client.query(`DROP SCHEMA IF EXISTS "${retired}" CASCADE`);
  await client.query(`ALTER SCHEMA "${projection.schema}" RENAME TO "${retired}"`);
  await client.query(`ALTER SCHEMA "${rebuildSchemaOf(projection)}" RENAME TO "${projection.schema}"`);
  await client.query(`DROP SCHEMA "${retired}" CASCADE`);
}

/**
 * In the caller's transaction: one tenant's rows of every table of the live schema replaced by the tenant shadow's.
 * Every table must have a tenant column (a table without one is refused, before anything is changed).
 */
export async function replaceTenantRows(client: PoolClient, projection: Projection, tenant: string): Promise<void> {
  const shadow = tenantRebuildSchemaOf(projection);
  const { rows: tables } = await client.query<{ table_name: string; has_tenant: boolean }>(
    `SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c
              WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'tenant') AS has_tenant
       FROM information_schema.tables t WHERE t.table_schema = $1 AND t.table_type = 'BASE TABLE' ORDER BY t.table_name`,
    [shadow],
  );
  const withoutTenant = tables.filter((table) => !table.has_tenant).map((table) => table.table_name);
  if (withoutTenant.length > 0) {
    throw new Error(`${projection.name} cannot be re-projected for one tenant: tables without a tenant column (${withoutTenant.join(', ')})`);
  }
  for (const { table_name: table } of tables) {
    await client.query(`DELETE FROM "${projection.schema}"."${table}" WHERE tenant = $1`, [tenant]);
    // OVERRIDING SYSTEM VALUE: identity columns keep the shadow's values (no live table has rows of them then).
    await client.query(`INSERT INTO "${projection.schema}"."${table}" OVERRIDING SYSTEM VALUE SELECT * FROM "${shadow}"."${table}"`);
  }
}
