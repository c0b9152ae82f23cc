import { MAX_MONEY_AMOUNT } from '@rework-ledger/contracts';
import { createApiKeys, TENANT_SCOPES } from '@rework-ledger/tenancy';
import { openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';

/** `tenants create`: a tenant's settings (currency, default hourly cost, privacy k) and its first admin key, printed once. */
export const tenantsCreateCommand: CliCommand = {
  name: ['tenants', 'create'],
  summary: "create a tenant (or update its settings) and print a first key with every scope (shown once)",
  usage:
    'tenants create --tenant <tenant> [--currency EUR] [--hourly-cost 60] [--privacy-k 5] [--otlp-output-operations chat,text_completion] [--discard-minutes 2] [--name <key label>]',
  options: {
    tenant: { type: 'string', description: 'the tenant id (what API keys are bound to)' },
    currency: { type: 'string', description: 'ISO 4217 code of costs and values (default: DEFAULT_CURRENCY)' },
    'hourly-cost': { type: 'string', description: 'hourly cost of an employee without one of their own (default: DEFAULT_HOURLY_COST)' },
    'privacy-k': { type: 'string', description: 'smallest group shown to callers without admin (default: PRIVACY_MIN_GROUP_SIZE)' },
    'otlp-output-operations': {
      type: 'string',
      description: 'OTLP: comma-separated gen_ai.operation.name values whose spans are AI outputs (default: chat,text_completion,generate_content)',
    },
    'discard-minutes': { type: 'string', description: 'OTLP: minutes a Claude Code edit rejected by a person costs (default: 2)' },
    name: { type: 'string', description: 'a label for the key' },
  },
  async run(options) {
    const tenant = stringOption(options, 'tenant');
    if (!tenant) throw new UsageError('--tenant is required');
    if (tenant.length > 200) throw new UsageError('--tenant is at most 200 characters');
    const currency = stringOption(options, 'currency');
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw new UsageError(`--currency takes an ISO 4217 code such as EUR (got ${currency})`);
    const hourlyCostText = stringOption(options, 'hourly-cost');
    const hourlyCost = hourlyCostText === undefined ? undefined : Number(hourlyCostText);
    if (hourlyCost !== undefined && !(Number.isFinite(hourlyCost) && hourlyCost >= 0 && hourlyCost <= MAX_MONEY_AMOUNT)) {
      throw new UsageError(`--hourly-cost takes a number from 0 to ${MAX_MONEY_AMOUNT} (got ${hourlyCostText})`);
    }
    const kText = stringOption(options, 'privacy-k');
    const k = kText === undefined ? undefined : Number(kText);
    if (k !== undefined && !(Number.isInteger(k) && k >= 1 && k <= 1000)) throw new UsageError(`--privacy-k takes a whole number from 1 to 1000 (got ${kText})`);

    const operationsText = stringOption(options, 'otlp-output-operations');
    const operations = operationsText?.split(',').map((operation) => operation.trim()).filter(Boolean);
    if (operations !== undefined && (operations.length === 0 || operations.some((operation) => operation.length > 200))) {
      throw new UsageError(`--otlp-output-operations takes comma-separated operation names such as chat,invoke_agent (got ${operationsText})`);
    }
    const discardText = stringOption(options, 'discard-minutes');
    const discardMinutes = discardText === undefined ? undefined : Number(discardText);
    if (discardMinutes !== undefined && !(Number.isFinite(discardMinutes) && discardMinutes >= 0 && discardMinutes <= 1440)) {
      throw new UsageError(`--discard-minutes takes a number of minutes from 0 to 1440 (got ${discardText})`);
    }

    const runtime = await openCliRuntime();
    try {
      const settings = await runtime.tenantSettings.update(tenant, {
        ...(currency !== undefined ? { currency } : {}),
        ...(hourlyCost !== undefined ? { defaultHourlyCost: hourlyCost } : {}),
        ...(k !== undefined ? { privacyMinGroupSize: k } : {}),
        ...(operations !== undefined ? { otlpOutputOperations: operations } : {}),
        ...(discardMinutes !== undefined ? { discardMinutes } : {}),
      });
      const { id, key } = await createApiKeys(runtime.dataSource).create(tenant, TENANT_SCOPES, stringOption(options, 'name') ?? `first admin key of ${tenant} (CLI)`);
      process.stderr.write(
        `tenant "${tenant}": currency ${settings.currency}, default hourly cost ${settings.defaultHourlyCost}, privacy k ${settings.privacyMinGroupSize}, ` +
          `OTLP output operations ${settings.otlpOutputOperations.join(',')}, discard minutes ${settings.discardMinutes}\n` +
          `created key ${id} with scopes ${TENANT_SCOPES.join(', ')}; it is shown only now:\n`,
      );
      process.stdout.write(`${key}\n`);
    } finally {
      await runtime.close();
    }
  },
};
