import { ApiKeyEntity, createApiKeys } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { useCliTestDatabase } from '../cli.test-support';
import { UsageError } from '../command';
import { keysCreateCommand } from './keys-create.command';
import { keysListCommand } from './keys-list.command';
import { keysRevokeCommand } from './keys-revoke.command';

describe('cli keys list and keys revoke', () => {
  const cli = useCliTestDatabase();
  const keys: Record<string, string> = {};

  const listed = async (options: Record<string, string> = {}) => {
    cli.printed = '';
    await keysListCommand.run(options, []);
    const [header, ...rows] = cli.printed.replace(/\n$/, '').split('\n');
    return { header: header.split('\t'), rows: rows.map((row) => row.split('\t')) };
  };

  beforeAll(async () => {
    for (const [tenant, scopes, name] of [
      ['acme', 'ingest,read', 'copilot\ttelemetry'],
      ['acme', 'admin', 'acme admin'],
      ['globex', 'operator', 'operator'],
    ]) {
      cli.printed = '';
      await keysCreateCommand.run({ tenant, scopes, name }, []);
      keys[name] = cli.printed.trim();
    }
  });

  it('lists every key, or one tenant’s, with id, tenant, name, scopes, created and revoked, and never the key or its hash', async () => {
    const all = await listed();
    expect(all.header).toEqual(['id', 'tenant', 'name', 'scopes', 'created', 'revoked']);
    expect(all.rows.map(([, tenant, name, scopes, created, revoked]) => [tenant, name, scopes, Number.isNaN(Date.parse(created)), revoked])).toEqual([
      ['acme', 'copilot telemetry', 'ingest,read', false, ''],
      ['acme', 'acme admin', 'admin', false, ''],
      ['globex', 'operator', 'operator', false, ''],
    ]);
    for (const key of Object.values(keys)) expect(cli.printed).not.toContain(key);
    expect(cli.printed).not.toMatch(/[0-9a-f]{64}/);
    expect((await listed({ tenant: 'globex' })).rows.map((row) => row[1])).toEqual(['globex']);
  });

  it('revokes a key by id: it no longer authenticates, and the list shows when it was revoked', async () => {
    const [id] = (await listed({ tenant: 'globex' })).rows[0];
    await keysRevokeCommand.run({}, [id]);
    const dataSource = await new DataSource({ type: 'postgres', url: cli.database.url, entities: [ApiKeyEntity] }).initialize();
    try {
      expect(await createApiKeys(dataSource).authenticate(keys['operator'])).toBeUndefined();
      expect(await createApiKeys(dataSource).authenticate(keys['acme admin'])).toBeDefined();
    } finally {
      await dataSource.destroy();
    }
    const revoked = (await listed({ tenant: 'globex' })).rows[0][5];
    expect(Number.isNaN(Date.parse(revoked))).toBe(false);
    await expect(keysRevokeCommand.run({}, [id])).resolves.toBeUndefined(); // already revoked: said, not an error
  });

  it('refuses an unknown id, and no id', async () => {
    await expect(keysRevokeCommand.run({}, ['00000000-0000-4000-8000-000000000000'])).rejects.toThrow('no API key has the id');
    await expect(keysRevokeCommand.run({}, [])).rejects.toEqual(new UsageError('give the id of one key (see keys list)'));
  });
});
