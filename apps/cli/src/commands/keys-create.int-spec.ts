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
    // stderr gives the key as an LMS's xAPI screen takes it: the key's id and the key, and the Basic header they make.
    const stderr = (process.stderr.write as unknown as jest.Mock).mock.calls.map(([chunk]) => String(chunk)).join('');
    const header = /Authorization: Basic ([A-Za-z0-9+/=]+)/.exec(stderr)?.[1] ?? '';
    const [user, password] = Buffer.from(header, 'base64').toString('utf8').split(':');
    expect(password).toBe(key);
    expect(stderr).toContain(`username (key) ${user}, password (secret) the key below`);
    expect(stderr).toMatch(new RegExp(`created key ${user} for tenant "acme"`));
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
    [{ tenant: 'acme', scopes: 'read,superuser' }, '--scopes takes ingest, read, lrs, admin, operator (got superuser)'],
  ])('given %o, then it refuses with a usage error', async (options, message) => {
    await expect(keysCreateCommand.run(options, [])).rejects.toEqual(new UsageError(message));
  });
});
