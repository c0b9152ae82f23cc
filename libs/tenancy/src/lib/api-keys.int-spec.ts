import { runMigrations } from '@rework-ledger/platform';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { createApiKeys } from './api-keys';
import { TENANCY_MIGRATIONS } from './tenancy.migrations';

describe('API keys in PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    const pool = new Pool({ connectionString: database.url });
    await runMigrations(pool, 'tenancy', TENANCY_MIGRATIONS);
    await pool.end();
    dataSource = await new DataSource({ type: 'postgres', url: database.url, entities: [ApiKeyEntity] }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('given a key revoked by another process, then it keeps working until the cache TTL has passed, and not after', async () => {
    let now = 1_000; // lru-cache reads a start time of 0 as "no TTL"
    const api = createApiKeys(dataSource, { ttlMs: 60_000, clock: { now: () => now } });
    const cli = createApiKeys(dataSource);
    const { id, key } = await cli.create('acme', ['read'], 'revoked soon');
    expect(await api.authenticate(key)).toEqual({ tenant: 'acme', scopes: ['read'], keyId: id });

    expect(await cli.revoke(id)).toBe('revoked');
    now += 59_999;
    expect(await api.authenticate(key)).toBeDefined();
    now += 2;
    expect(await api.authenticate(key)).toBeUndefined();
  });

  it('given a key revoked by the same process, then it stops working at once; revoking again or an unknown id says so', async () => {
    const keys = createApiKeys(dataSource);
    const { id, key } = await keys.create('acme', ['ingest'], 'revoked here');
    expect(await keys.authenticate(key)).toBeDefined();
    expect(await keys.revoke(id)).toBe('revoked');
    expect(await keys.authenticate(key)).toBeUndefined();
    expect(await keys.revoke(id)).toBe('already');
    expect(await keys.revoke('00000000-0000-4000-8000-000000000000')).toBe('unknown');
    expect(await keys.revoke('not-a-uuid')).toBe('unknown');
  });

  it('lists keys of a tenant without their secrets', async () => {
    const keys = createApiKeys(dataSource);
    const { id } = await keys.create('globex', ['operator'], 'platform operator');
    const listed = await keys.list('globex');
    expect(listed).toEqual([{ id, tenant: 'globex', name: 'platform operator', scopes: ['operator'], createdAt: expect.any(Date), revokedAt: null }]);
    expect((await keys.list()).map((k) => k.tenant)).toEqual(['acme', 'acme', 'globex']);
  });
});
