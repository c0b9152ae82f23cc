import { TenantSettingsEntity } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { useCliTestDatabase } from '../cli.test-support';
import { UsageError } from '../command';
import { tenantsSeatsCommand } from './tenants-seats.command';

describe('cli tenants seats', () => {
  const cli = useCliTestDatabase();
  const seatCosts = async () => {
    const dataSource = await new DataSource({ type: 'postgres', url: cli.database.url, entities: [TenantSettingsEntity] }).initialize();
    try {
      return (await dataSource.getRepository(TenantSettingsEntity).findOneBy({ tenant: 'acme' }))?.seatCosts;
    } finally {
      await dataSource.destroy();
    }
  };

  it('given seat costs of two tools, then both are kept per tool, a second setting of a tool replaces it, and --remove removes it', async () => {
    await tenantsSeatsCommand.run({ tenant: 'acme', tool: 'github-copilot', 'seat-cost': '19', currency: 'USD' }, []);
    await tenantsSeatsCommand.run({ tenant: 'acme', tool: 'cursor', 'seat-cost': '40', currency: 'EUR', seats: '25' }, []);
    expect(await seatCosts()).toEqual([
      { tool: 'cursor', seatCost: 40, currency: 'EUR', seats: 25 },
      { tool: 'github-copilot', seatCost: 19, currency: 'USD', seats: null },
    ]);
    await tenantsSeatsCommand.run({ tenant: 'acme', tool: 'github-copilot', 'seat-cost': '39', currency: 'USD', seats: '10' }, []);
    await tenantsSeatsCommand.run({ tenant: 'acme', tool: 'cursor', remove: true }, []);
    expect(await seatCosts()).toEqual([{ tool: 'github-copilot', seatCost: 39, currency: 'USD', seats: 10 }]);
  });

  it.each([
    [{ tool: 'x', 'seat-cost': '1', currency: 'USD' }, '--tenant is required'],
    [{ tenant: 'acme', 'seat-cost': '1', currency: 'USD' }, '--tool is required'],
    [{ tenant: 'acme', tool: 'x', 'seat-cost': '-1', currency: 'USD' }, '--seat-cost takes a number from 0 to 1000000000 (got -1)'],
    [{ tenant: 'acme', tool: 'x', 'seat-cost': '1', currency: 'dollar' }, '--currency takes an ISO 4217 code such as USD (got dollar)'],
    [{ tenant: 'acme', tool: 'x', 'seat-cost': '1', currency: 'USD', seats: '2.5' }, '--seats takes a whole number from 0 to 10000000 (got 2.5)'],
  ])('given %o, then it refuses with a usage error', async (options, message) => {
    await expect(tenantsSeatsCommand.run(options, [])).rejects.toEqual(new UsageError(message));
  });
});
