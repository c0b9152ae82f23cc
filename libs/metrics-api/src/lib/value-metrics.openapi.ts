import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BUCKETS, VALUE_GROUP_BYS } from '@rework-ledger/domain';
import { ApiInvalidParameters, ApiJsonResponse, ApiKeyAuth } from '@rework-ledger/http-kit';

const FIGURES = {
  savedValue: {
    type: 'number',
    description: "value of the AI time saved: each output's saved minutes (its estimate, else the tenant default of its task type) at its author's hourly cost in effect at its time, else the tenant default",
  },
  lostCost: { type: 'number', description: "cost of rework: each rework's minutes at the hourly cost of whoever did it, else the tenant default (as GET /v1/metrics/rework)" },
  spend: { type: 'number', description: 'usage cost and licence seats in the tenant currency (as GET /v1/metrics/usage)' },
  spendInOtherCurrencies: {
    type: 'array',
    description: 'spend recorded in other currencies, never converted; any makes netAiValue null',
    items: { type: 'object', required: ['currency', 'amount'], properties: { currency: { type: 'string', example: 'USD' }, amount: { type: 'number' } } },
  },
  netAiValue: { type: 'number', nullable: true, description: 'savedValue − lostCost − spend; null when some spend is in another currency (see netAiValueUnavailable)' },
  netAiValueUnavailable: {
    type: 'object',
    nullable: true,
    description: 'why netAiValue is null',
    required: ['reason', 'currencies'],
    properties: { reason: { type: 'string', enum: ['VALUE.SPEND_IN_OTHER_CURRENCY'] }, currencies: { type: 'array', items: { type: 'string' } } },
  },
} as const;

const ROW_SCHEMA = { type: 'object', properties: { group: { type: 'string', nullable: true }, bucket: { type: 'string', format: 'date-time', nullable: true }, ...FIGURES } };

/** The answer of GET /v1/metrics/value. */
export const VALUE_METRICS_SCHEMA = {
  type: 'object',
  properties: {
    metricVersion: { type: 'string', example: 'v1' },
    from: { type: 'string', format: 'date-time', description: 'start of the period answered: for callers without admin, widened to the start of its month' },
    to: { type: 'string', format: 'date-time', description: 'end (exclusive): for callers without admin, widened to the end of its month' },
    groupBy: { type: 'string', enum: [...VALUE_GROUP_BYS], nullable: true },
    bucket: {
      type: 'string',
      enum: [...BUCKETS],
      nullable: true,
      description: 'for callers without admin, `month` whenever a bucket was asked or the answer spans more than one month (as GET /v1/metrics/usage)',
    },
    currency: { type: 'string', example: 'EUR', description: "the tenant's currency, of every figure but spendInOtherCurrencies" },
    rows: { type: 'array', items: ROW_SCHEMA },
    suppressed: {
      type: 'object',
      nullable: true,
      description:
        'Callers without admin (privacy v2, docs/privacy.md): how many rows the protected tables of the rework or of the usage metrics withheld (a row withheld by either is withheld here). Their figures are not summed here: GET /v1/metrics/rework and /usage each sum their own remainder',
      properties: { rows: { type: 'integer' } },
    },
  },
};

const row = (group: string | null, savedValue: number, lostCost: number, spend: number, other: { currency: string; amount: number }[] = []) => ({
  group,
  bucket: null,
  savedValue,
  lostCost,
  spend,
  spendInOtherCurrencies: other,
  netAiValue: other.length > 0 ? null : savedValue - lostCost - spend,
  netAiValueUnavailable: other.length > 0 ? { reason: 'VALUE.SPEND_IN_OTHER_CURRENCY', currencies: other.map((s) => s.currency) } : null,
});

const answer = (groupBy: string | null, rows: unknown[], suppressed: unknown = null) => ({
  metricVersion: 'v1',
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-04-01T00:00:00.000Z',
  groupBy,
  bucket: null,
  currency: 'EUR',
  rows,
  suppressed,
});

/** OpenAPI of GET /v1/metrics/value. */
export const ValueMetricsDocs = () =>
  applyDecorators(
    ApiTags('metrics'),
    ApiOperation({
      summary: 'Net AI value: value of the time saved − cost of rework − spend',
      description:
        'For [from, to): the rework metrics of the outputs generated then (savedValue, lostCost: GET /v1/metrics/rework) and the spend of the usage days then (usage cost and licence seats: GET /v1/metrics/usage), by team or tool, bucketed (docs/metrics.md "Net AI value"). Spend in another currency than the tenant\'s is never converted: the net is then null, with the reason. For callers without `admin`, each source answers from its own protected tables of whole months (docs/privacy.md), and a row either withholds is withheld.',
    }),
    ApiQuery({ name: 'from', required: false, description: 'start (RFC 3339 or YYYY-MM-DD); default to − 90 days', example: '2026-03-01' }),
    ApiQuery({ name: 'to', required: false, description: 'end, exclusive; default now', example: '2026-04-01' }),
    ApiQuery({ name: 'groupBy', required: false, enum: [...VALUE_GROUP_BYS], description: 'the dimensions both sources have: task type, model and employee are 400' }),
    ApiQuery({ name: 'bucket', required: false, enum: [...BUCKETS] }),
    ApiQuery({ name: 'team', required: false, example: 'platform' }),
    ApiQuery({ name: 'tool', required: false, example: 'github-copilot' }),
    ApiJsonResponse(200, 'Net AI value', VALUE_METRICS_SCHEMA, {
      total: answer(null, [row(null, 196_480, 43_710, 9_870)]),
      'by tool, one tool billed in USD': answer('tool', [row('claude-code', 61_200, 15_020, 0, [{ currency: 'USD', amount: 2_310.9 }]), row('github-copilot', 135_280, 28_690, 3_249)]),
      'by team, a small team withheld': answer('team', [row('customer-support', 80_110, 17_400, 1_102), row('platform', 99_870, 22_010, 2_870.5)], { rows: 1 }),
    }),
    ApiInvalidParameters({
      'grouping by task type': { code: 'REQUEST.INVALID_PARAMETER', message: 'groupBy must be one of team, tool', field: 'groupBy' },
      'from after to': { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be before to', field: 'from' },
      'malformed date': { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be an RFC 3339 timestamp or a date (YYYY-MM-DD)', field: 'from' },
    }),
    ApiKeyAuth('read'),
  );
