import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BUCKETS, USAGE_GROUP_BYS } from '@rework-ledger/domain';
import { ApiInvalidParameters, ApiJsonResponse, ApiKeyAuth } from '@rework-ledger/http-kit';

const SPEND = {
  type: 'array',
  description: 'usage cost and licence seats (tenant setting, per month, prorated to the days a row covers), per currency, currencies in alphabetical order',
  items: { type: 'object', required: ['currency', 'amount'], properties: { currency: { type: 'string', example: 'USD' }, amount: { type: 'number' } } },
} as const;

const FIGURES = {
  activeUsers: { type: 'integer', description: 'distinct employees with usage (a figure above 0) in the row' },
  requests: { type: 'number', description: 'requests (prompts, chat turns) made by people' },
  suggestions: { type: 'number', description: 'suggestions shown (code completions and the like)' },
  acceptances: { type: 'number', description: 'suggestions accepted' },
  acceptanceRate: { type: 'number', nullable: true, description: 'acceptances / suggestions (null without suggestions)' },
  linesSuggested: { type: 'number' },
  linesAccepted: { type: 'number' },
  inputTokens: { type: 'number' },
  outputTokens: { type: 'number' },
  spend: SPEND,
  credits: { type: 'number', description: "the tools' own credits (e.g. Copilot premium requests)" },
} as const;

const ROW_SCHEMA = { type: 'object', properties: { group: { type: 'string', nullable: true }, bucket: { type: 'string', format: 'date-time', nullable: true }, ...FIGURES } };

/** The answer of GET /v1/metrics/usage. */
export const USAGE_METRICS_SCHEMA = {
  type: 'object',
  properties: {
    metricVersion: { type: 'string', example: 'v1' },
    from: { type: 'string', format: 'date-time', description: 'start of the period answered: for callers without admin, widened to the start of its month' },
    to: { type: 'string', format: 'date-time', description: 'end (exclusive): for callers without admin, widened to the end of its month' },
    groupBy: { type: 'string', enum: [...USAGE_GROUP_BYS], nullable: true },
    bucket: {
      type: 'string',
      enum: [...BUCKETS],
      nullable: true,
      description: 'for callers without admin, `month` whenever a bucket was asked or the answer spans more than one month (active users are distinct per month)',
    },
    currency: { type: 'string', example: 'EUR', description: "the tenant's currency (of rework costs); spend keeps each recorded currency" },
    rows: { type: 'array', items: ROW_SCHEMA },
    suppressed: {
      type: 'object',
      nullable: true,
      description:
        'Callers without admin (privacy v2, docs/privacy.md): the cells of the protected tables the answer withheld, summed (`activeUsers` summed over those cells); `rows` counts them. Every figure null, with a `reason`, when the sum would itself show a small group (WITHHELD.SMALL_REMAINDER) or the filters cross dimensions the protected tables do not (WITHHELD.NOT_IN_PROTECTED_TABLES)',
      properties: { rows: { type: 'integer' }, reason: { type: 'string', enum: ['WITHHELD.SMALL_REMAINDER', 'WITHHELD.NOT_IN_PROTECTED_TABLES'] }, ...FIGURES },
    },
  },
};

const row = (group: string | null, bucket: string | null, activeUsers: number, suggestions: number, accepted: number, spend: { currency: string; amount: number }[]) => ({
  group,
  bucket,
  activeUsers,
  requests: activeUsers * 41,
  suggestions,
  acceptances: accepted,
  acceptanceRate: accepted / suggestions,
  linesSuggested: suggestions * 3,
  linesAccepted: accepted * 2,
  inputTokens: activeUsers * 910_000,
  outputTokens: activeUsers * 120_000,
  spend,
  credits: activeUsers * 12,
});

const answer = (groupBy: string | null, bucket: string | null, rows: unknown[], suppressed: unknown = null) => ({
  metricVersion: 'v1',
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-04-01T00:00:00.000Z',
  groupBy,
  bucket,
  currency: 'EUR',
  rows,
  suppressed,
});

/** OpenAPI of GET /v1/metrics/usage. */
export const UsageMetricsDocs = () =>
  applyDecorators(
    ApiTags('metrics'),
    ApiOperation({
      summary: 'AI adoption and spend: active users, requests, acceptance, tokens, spend per currency',
      description:
        'From `ai.usage.recorded` facts (tool usage reports, OpenTelemetry metrics) of the UTC days that start in [from, to), grouped and bucketed (docs/metrics.md). Usage never enters the rework rate. Spend adds the licence seats of the tenant settings (`npm run cli -- tenants seats`). For callers without `admin`, every answer is made of published cells of the protected tables of whole months (docs/privacy.md); what they withhold is summed into `suppressed`.',
    }),
    ApiQuery({ name: 'from', required: false, description: 'start (RFC 3339 or YYYY-MM-DD); default to − 90 days', example: '2026-03-01' }),
    ApiQuery({ name: 'to', required: false, description: 'end, exclusive; default now', example: '2026-04-01' }),
    ApiQuery({ name: 'groupBy', required: false, enum: [...USAGE_GROUP_BYS], description: 'usage has no task type: `taskType` is 400' }),
    ApiQuery({ name: 'bucket', required: false, enum: [...BUCKETS] }),
    ApiQuery({ name: 'team', required: false, example: 'platform' }),
    ApiQuery({ name: 'tool', required: false, example: 'github-copilot' }),
    ApiQuery({ name: 'model', required: false, example: 'claude-sonnet-4' }),
    ApiQuery({ name: 'employee', required: false, description: 'needs admin' }),
    ApiJsonResponse(200, 'The metrics', USAGE_METRICS_SCHEMA, {
      total: answer(null, null, [row(null, null, 212, 48_210, 14_003, [{ currency: 'USD', amount: 6_311.4 }])]),
      'by tool, with seat costs': answer('tool', null, [
        { ...row('claude-code', null, 64, 1, 0, [{ currency: 'USD', amount: 2_310.9 }]), suggestions: 0, acceptances: 0, acceptanceRate: null, linesSuggested: 0 },
        row('github-copilot', null, 171, 48_210, 14_003, [{ currency: 'USD', amount: 3_249 }]),
      ]),
      'by team, with a suppressed remainder': answer(
        'team',
        null,
        [row('customer-support', null, 58, 9_120, 2_504, [{ currency: 'USD', amount: 1_102 }]), row('platform', null, 77, 21_300, 6_950, [{ currency: 'USD', amount: 2_870.5 }])],
        { rows: 2, ...row(null, null, 9, 1_400, 390, [{ currency: 'USD', amount: 171 }]), group: undefined, bucket: undefined },
      ),
    }),
    ApiInvalidParameters({
      'grouping by task type': { code: 'REQUEST.INVALID_PARAMETER', message: 'groupBy must be one of team, tool, model', field: 'groupBy' },
      'from after to': { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be before to', field: 'from' },
      'malformed date': { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be an RFC 3339 timestamp or a date (YYYY-MM-DD)', field: 'from' },
    }),
    ApiKeyAuth('read'),
  );
