import { ApiKeyEntity, createApiKeys, TenantSettingsEntity } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { useCliTestDatabase } from '../cli.test-support';
import { UsageError } from '../command';
import { tenantsCreateCommand } from './tenants-create.command';

describe('cli tenants create', () => {
  const cli = useCliTestDatabase();

  it('given settings, then it stores them and prints an admin key of that tenant', async () => {
    await tenantsCreateCommand.run({ tenant: 'acme', currency: 'GBP', 'hourly-cost': '75.5', 'privacy-k': '7' }, []);
    const key = cli.printed.trim();
    expect(key).toMatch(/^rl_/);
    const dataSource = await new DataSource({ type: 'postgres', url: cli.database.url, entities: [ApiKeyEntity, TenantSettingsEntity] }).initialize();
    try {
      expect(await createApiKeys(dataSource).authenticate(key)).toMatchObject({ tenant: 'acme', scopes: ['ingest', 'read', 'lrs', 'admin'] });
      expect(await dataSource.getRepository(TenantSettingsEntity).findOneBy({ tenant: 'acme' })).toMatchObject({ currency: 'GBP', defaultHourlyCost: 75.5, privacyMinGroupSize: 7 });
    } finally {
      await dataSource.destroy();
    }
  });

  it('given it again with one setting, then it changes that setting only and prints another key', async () => {
    const first = cli.printed.trim();
    cli.printed = '';
    await tenantsCreateCommand.run({ tenant: 'acme', 'privacy-k': '3' }, []);
    expect(cli.printed.trim()).not.toBe(first);
    const dataSource = await new DataSource({ type: 'postgres', url: cli.database.url, entities: [TenantSettingsEntity] }).initialize();
    try {
      expect(await dataSource.getRepository(TenantSettingsEntity).findOneBy({ tenant: 'acme' })).toMatchObject({ currency: 'GBP', defaultHourlyCost: 75.5, privacyMinGroupSize: 3 });
    } finally {
      await dataSource.destroy();
    }
  });

  it("given the OTLP settings, then it stores the tenant's output operations and discard minutes", async () => {
    await tenantsCreateCommand.run({ tenant: 'initech', 'otlp-output-operations': 'chat, invoke_agent', 'discard-minutes': '4.5' }, []);
    const dataSource = await new DataSource({ type: 'postgres', url: cli.database.url, entities: [TenantSettingsEntity] }).initialize();
    try {
      expect(await dataSource.getRepository(TenantSettingsEntity).findOneBy({ tenant: 'initech' })).toMatchObject({ otlpOutputOperations: ['chat', 'invoke_agent'], discardMinutes: 4.5 });
    } finally {
      await dataSource.destroy();
    }
  });

  it.each([
    [{ tenant: 'acme', 'otlp-output-operations': ',,' }, '--otlp-output-operations takes comma-separated operation names such as chat,invoke_agent (got ,,)'],
    [{ tenant: 'acme', 'discard-minutes': '1441' }, '--discard-minutes takes a number of minutes from 0 to 1440 (got 1441)'],
    [{}, '--tenant is required'],
    [{ tenant: 'acme', currency: 'euro' }, '--currency takes an ISO 4217 code such as EUR (got euro)'],
    [{ tenant: 'acme', 'hourly-cost': '-1' }, '--hourly-cost takes a number from 0 to 1000000000 (got -1)'],
    [{ tenant: 'acme', 'hourly-cost': '1e308' }, '--hourly-cost takes a number from 0 to 1000000000 (got 1e308)'],
    [{ tenant: 'acme', 'privacy-k': '0' }, '--privacy-k takes a whole number from 1 to 1000 (got 0)'],
  ])('given %o, then it refuses with a usage error', async (options, message) => {
    await expect(tenantsCreateCommand.run(options, [])).rejects.toEqual(new UsageError(message));
  });
});
