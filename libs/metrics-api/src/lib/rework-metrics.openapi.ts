import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BUCKETS, REWORK_GROUP_BYS, TASK_TYPES } from '@rework-ledger/domain';
import { ApiInvalidParameters, ApiJsonResponse, ApiKeyAuth } from '@rework-ledger/http-kit';

const FIGURES = {
  outputs: { type: 'integer', description: 'distinct AI outputs generated in the period' },
  reworkedOutputs: { type: 'integer', description: 'of those, outputs corrected, rewritten or discarded at least once' },
  reworkRate: { type: 'number', nullable: true, description: 'reworkedOutputs / outputs (null without outputs)' },
  doubleCheckRate: { type: 'number', nullable: true },
  corrections: { type: 'integer' },
  rewrites: { type: 'integer' },
  doubleChecks: { type: 'integer' },
  discards: { type: 'integer' },
  reworkMinutes: { type: 'number', description: 'minutes of all four rework kinds' },
  lostHours: { type: 'number' },
  lostCost: { type: 'number', description: 'in the tenant currency' },
  grossSavedHours: { type: 'number' },
  netSavedHours: { type: 'number', description: 'grossSavedHours − lostHours' },
  savedValue: {
    type: 'number',
    description: "grossSavedHours priced as lostCost is: each output's saved minutes at its author's hourly cost in effect at its time, else the tenant default; in the tenant currency",
  },
} as const;

const ROW_SCHEMA = { type: 'object', properties: { group: { type: 'string', nullable: true }, bucket: { type: 'string', format: 'date-time', nullable: true }, ...FIGURES } };

/** The answer of GET /v1/metrics/rework. */
export const REWORK_METRICS_SCHEMA = {
  type: 'object',
  properties: {
    metricVersion: { type: 'string', example: 'v1' },
    from: { type: 'string', format: 'date-time', description: 'start of the period answered: for callers without admin, widened to the start of its bucket (a month without bucket)' },
    to: { type: 'string', format: 'date-time', description: 'end (exclusive): for callers without admin, widened to the end of its bucket (a month without bucket)' },
    groupBy: { type: 'string', enum: [...REWORK_GROUP_BYS], nullable: true },
    bucket: { type: 'string', enum: [...BUCKETS], nullable: true },
    currency: { type: 'string', example: 'EUR' },
    rows: { type: 'array', items: ROW_SCHEMA },
    suppressed: {
      type: 'object',
      nullable: true,
      description:
        'Callers without admin (privacy v2, docs/privacy.md): the cells of the protected tables the answer withheld, summed; `rows` counts them. Every figure null, with a `reason`, when the sum would itself show a small group (WITHHELD.SMALL_REMAINDER) or the filters cross dimensions the protected tables do not (WITHHELD.NOT_IN_PROTECTED_TABLES)',
      properties: { rows: { type: 'integer' }, reason: { type: 'string', enum: ['WITHHELD.SMALL_REMAINDER', 'WITHHELD.NOT_IN_PROTECTED_TABLES'] }, ...FIGURES },
    },
  },
};

const row = (group: string | null, bucket: string | null, outputs: number, reworked: number, minutes: number) => ({
  group,
  bucket,
  outputs,
  reworkedOutputs: reworked,
  reworkRate: reworked / outputs,
  doubleCheckRate: 0.21,
  corrections: Math.round(reworked * 0.6),
  rewrites: Math.round(reworked * 0.35),
  doubleChecks: Math.round(outputs * 0.21),
  discards: Math.round(reworked * 0.1),
  reworkMinutes: minutes,
  lostHours: minutes / 60,
  lostCost: (minutes / 60) * 62,
  grossSavedHours: outputs * 0.4,
  netSavedHours: outputs * 0.4 - minutes / 60,
  savedValue: outputs * 0.4 * 64,
});

const answer = (groupBy: string | null, bucket: string | null, rows: unknown[], suppressed: unknown = null) => ({
  metricVersion: 'v1',
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-06-01T00:00:00.000Z',
  groupBy,
  bucket,
  currency: 'EUR',
  rows,
  suppressed,
});

/** OpenAPI of GET /v1/metrics/rework. */
export const ReworkMetricsDocs = () =>
  applyDecorators(
    ApiTags('metrics'),
    ApiOperation({
      summary: 'Rework rate, lost hours and cost, and AI time saved',
      description:
        'For outputs generated in [from, to), grouped and bucketed (metric definitions v1, docs/metrics.md). For callers without `admin`, every answer is a sum of published cells of the protected tables of whole periods (docs/privacy.md); what they withhold is summed into `suppressed`.',
    }),
    ApiQuery({ name: 'from', required: false, description: 'start (RFC 3339 or YYYY-MM-DD); default to − 90 days', example: '2026-03-01' }),
    ApiQuery({ name: 'to', required: false, description: 'end, exclusive; default now', example: '2026-06-01' }),
    ApiQuery({ name: 'groupBy', required: false, enum: [...REWORK_GROUP_BYS], description: '`employee` needs admin' }),
    ApiQuery({ name: 'bucket', required: false, enum: [...BUCKETS] }),
    ApiQuery({ name: 'team', required: false, example: 'platform' }),
    ApiQuery({ name: 'tool', required: false, example: 'copilot' }),
    ApiQuery({ name: 'taskType', required: false, enum: [...TASK_TYPES] }),
    ApiQuery({ name: 'model', required: false, example: 'gpt-4o' }),
    ApiQuery({ name: 'employee', required: false, description: 'needs admin' }),
    ApiJsonResponse(200, 'The metrics', REWORK_METRICS_SCHEMA, {
      total: answer(null, null, [row(null, null, 7430, 1256, 42_300)]),
      'by team, with a suppressed remainder': answer(
        'team',
        null,
        [row('customer-support', null, 3141, 477, 16_380), row('platform', null, 1770, 336, 11_220)],
        { rows: 2, ...row(null, null, 1630, 310, 9720), group: undefined, bucket: undefined },
      ),
      'by week': answer(null, 'week', [row(null, '2026-03-02T00:00:00.000Z', 580, 104, 3400), row(null, '2026-03-09T00:00:00.000Z', 612, 99, 3260)]),
    }),
    ApiInvalidParameters({
      'from after to': { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be before to', field: 'from' },
      'unknown groupBy': { code: 'REQUEST.INVALID_PARAMETER', message: 'groupBy must be one of team, tool, taskType, model, employee', field: 'groupBy' },
      'malformed date': { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be an RFC 3339 timestamp or a date (YYYY-MM-DD)', field: 'from' },
    }),
    ApiKeyAuth('read'),
  );
