import { ApiKeyEntity, createApiKeys } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { useCliTestDatabase } from '../cli.test-support';
import { UsageError } from '../command';
import { keysCreateCommand } from './keys-create.command';

describe('cli keys create', () => {
  const cli = useCliTestDatabase();

  it('given a tenant and scopes, then it prints a key that authenticates as that tenant with those scopes', async () => {
    await keysCreateCommand.run({ tenant: 'acme', scopes: 'ingest,admin' }, []);
    const key = cli.printed.trim();
    expect(key).toMatch(/^rl_[A-Za-z0-9_-]{43}$/);
    const dataSource = await new DataSource({ type: 'postgres', url: cli.database.url, entities: [ApiKeyEntity] }).initialize();
    try {
      expect(await createApiKeys(dataSource).authenticate(key)).toMatchObject({ tenant: 'acme', scopes: ['ingest', 'admin'] });
      const stored = await dataSource.getRepository(ApiKeyEntity).find();
      expect(stored.map((row) => row.keyHash)).not.toContain(key);
    } finally {
      await dataSource.destroy();
    }
  });

  it('given the operator scope, then the key holds it alone (admin does not imply it, nor it admin)', async () => {
    cli.printed = '';
    await keysCreateCommand.run({ tenant: 'platform', scopes: 'operator', name: 'operator on call' }, []);
    const dataSource = await new DataSource({ type: 'postgres', url: cli.database.url, entities: [ApiKeyEntity] }).initialize();
    try {
      expect(await createApiKeys(dataSource).authenticate(cli.printed.trim())).toMatchObject({ tenant: 'platform', scopes: ['operator'] });
    } finally {
      await dataSource.destroy();
    }
  });

  it.each([
    [{ scopes: 'read' }, '--tenant is required'],
    [{ tenant: 'acme', scopes: 'read,superuser' }, '--scopes takes ingest, read, admin, operator (got superuser)'],
  ])('given %o, then it refuses with a usage error', async (options, message) => {
    await expect(keysCreateCommand.run(options, [])).rejects.toEqual(new UsageError(message));
  });
});
