import { MAX_IDENTIFIER_LENGTH, MAX_MONEY_AMOUNT } from '@rework-ledger/contracts';
import { openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';

const MAX_SEATS = 10_000_000;

/** `tenants seats`: a tenant's licence seats for one AI tool (a cost per seat and month), which add to usage spend. */
export const tenantsSeatsCommand: CliCommand = {
  name: ['tenants', 'seats'],
  summary: 'set (or --remove) the licence seat cost of an AI tool: it adds to spend in GET /v1/metrics/usage',
  usage: 'tenants seats --tenant <tenant> --tool <tool> --seat-cost 19 --currency USD [--seats 50] | --remove',
  options: {
    tenant: { type: 'string', description: 'the tenant id' },
    tool: { type: 'string', description: 'the tool, as usage events name it (e.g. github-copilot)' },
    'seat-cost': { type: 'string', description: 'cost of one seat for a month' },
    currency: { type: 'string', description: 'ISO 4217 code of the seat cost' },
    seats: { type: 'string', description: 'a set number of seats (default: one per active user of the tool)' },
    remove: { type: 'boolean', description: "remove the tool's seat cost" },
  },
  async run(options) {
    const tenant = stringOption(options, 'tenant');
    const tool = stringOption(options, 'tool');
    if (!tenant) throw new UsageError('--tenant is required');
    if (!tool) throw new UsageError('--tool is required');
    if (tool.length > MAX_IDENTIFIER_LENGTH) throw new UsageError(`--tool is at most ${MAX_IDENTIFIER_LENGTH} characters`);
    const remove = options['remove'] === true;
    let seat: { tool: string; seatCost: number; currency: string; seats: number | null } | undefined;
    if (!remove) {
      const costText = stringOption(options, 'seat-cost');
      const seatCost = Number(costText);
      if (costText === undefined || !(Number.isFinite(seatCost) && seatCost >= 0 && seatCost <= MAX_MONEY_AMOUNT)) {
        throw new UsageError(`--seat-cost takes a number from 0 to ${MAX_MONEY_AMOUNT} (got ${costText ?? 'nothing'})`);
      }
      const currency = stringOption(options, 'currency');
      if (currency === undefined || !/^[A-Z]{3}$/.test(currency)) throw new UsageError(`--currency takes an ISO 4217 code such as USD (got ${currency ?? 'nothing'})`);
      const seatsText = stringOption(options, 'seats');
      const seats = seatsText === undefined ? null : Number(seatsText);
      if (seats !== null && !(Number.isInteger(seats) && seats >= 0 && seats <= MAX_SEATS)) throw new UsageError(`--seats takes a whole number from 0 to ${MAX_SEATS} (got ${seatsText})`);
      seat = { tool, seatCost, currency, seats };
    }

    const runtime = await openCliRuntime();
    try {
      const current = await runtime.tenantSettings.get(tenant);
      const seatCosts = [...current.seatCosts.filter((existing) => existing.tool !== tool), ...(seat ? [seat] : [])].sort((a, b) => (a.tool < b.tool ? -1 : 1));
      await runtime.tenantSettings.update(tenant, { seatCosts });
      process.stderr.write(
        seat
          ? `tenant "${tenant}": ${tool} costs ${seat.seatCost} ${seat.currency} a seat and month, for ${seat.seats ?? 'one seat per active user'}${seat.seats === null ? '' : ' seats'}\n`
          : `tenant "${tenant}": ${tool} has no seat cost\n`,
      );
    } finally {
      await runtime.close();
    }
  },
};
