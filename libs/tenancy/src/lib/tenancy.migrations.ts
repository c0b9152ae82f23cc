import type { Migration } from '@rework-ledger/platform';

export const TENANCY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'api keys and tenant settings',
    sql: `
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        tenant text NOT NULL,
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX ON api_keys (tenant);
      CREATE TABLE tenant_settings (
        tenant text PRIMARY KEY,
        currency text,
        default_hourly_cost double precision,
        minutes_saved_by_task_type jsonb,
        privacy_min_group_size integer,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 2,
    name: 'licence seat costs per tool',
    sql: `ALTER TABLE tenant_settings ADD COLUMN seat_costs jsonb;`,
  },
  {
    version: 3,
    name: 'tenant settings of the OTLP connector',
    sql: `ALTER TABLE tenant_settings ADD COLUMN otlp_output_operations jsonb, ADD COLUMN discard_minutes double precision;`,
  },
];
