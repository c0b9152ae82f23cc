import { BUCKETS, type Bucket, METRIC_VERSION, REWORK_GROUP_BYS, type ReworkGroupBy, TASK_TYPES } from '@rework-ledger/domain';
import { fromPgPool, type ProtectedReworkAnswer, queryProtectedReworkMetrics, queryReworkMetrics, type ReworkMetricsFilters, type ReworkMetricsRow } from '@rework-ledger/read-models';
import { stringify } from 'csv-stringify/sync';
import { writeFileSync } from 'node:fs';
import { openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';

const DAY_MS = 86_400_000;

/** The CSV columns, in order: the answer of GET /v1/metrics/rework, one row per group and bucket. */
export const METRICS_CSV_COLUMNS = [
  'group',
  'bucket',
  'outputs',
  'reworkedOutputs',
  'reworkRate',
  'doubleCheckRate',
  'corrections',
  'rewrites',
  'doubleChecks',
  'discards',
  'reworkMinutes',
  'lostHours',
  'lostCost',
  'savedValue',
  'grossSavedHours',
  'netSavedHours',
] as const;

function parseDate(name: string, value: string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new UsageError(`--${name} takes a date or an RFC 3339 time (got ${value})`);
  return new Date(time);
}

function parseChoice<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} takes ${choices.join(', ')} (got ${value})`);
  return value as T;
}

/**
 * `metrics export`: any rework-metrics query (the parameters of GET /v1/metrics/rework) as CSV, to a file or stdout.
 * By default the same protected answer as an API caller without admin gets (privacy v2: whole periods, published cells
 * only, the withheld ones summed into one `(suppressed)` row); `--all-groups` writes the exact answer an admin gets.
 */
export const metricsExportCommand: CliCommand = {
  name: ['metrics', 'export'],
  summary: 'export rework metrics to CSV (the parameters of GET /v1/metrics/rework)',
  usage:
    'metrics export --tenant <tenant> [--groupBy team|tool|taskType|model|employee] [--bucket day|week|month] [--from <date>] [--to <date>] ' +
    '[--team t] [--tool t] [--taskType t] [--model m] [--employee e] [--all-groups] [--out file.csv]',
  options: {
    tenant: { type: 'string', description: 'the tenant' },
    groupBy: { type: 'string', description: REWORK_GROUP_BYS.join(', ') },
    bucket: { type: 'string', description: BUCKETS.join(', ') },
    from: { type: 'string', description: 'start of the period (default: to − 90 days)' },
    to: { type: 'string', description: 'end of the period, exclusive (default: now)' },
    team: { type: 'string', description: 'only this team' },
    tool: { type: 'string', description: 'only this tool' },
    taskType: { type: 'string', description: 'only this task type' },
    model: { type: 'string', description: 'only this model' },
    employee: { type: 'string', description: 'only this employee (implies --all-groups)' },
    'all-groups': { type: 'boolean', description: "include groups smaller than the tenant's privacy k (as an admin sees them)" },
    out: { type: 'string', description: 'write the CSV to this file (default: stdout)' },
  },
  async run(options) {
    const tenant = stringOption(options, 'tenant');
    if (!tenant) throw new UsageError('--tenant is required');
    const to = parseDate('to', stringOption(options, 'to'), new Date());
    const from = parseDate('from', stringOption(options, 'from'), new Date(to.getTime() - 90 * DAY_MS));
    if (from.getTime() >= to.getTime()) throw new UsageError('--from must be before --to');
    const groupBy = parseChoice<ReworkGroupBy>('groupBy', stringOption(options, 'groupBy'), REWORK_GROUP_BYS);
    const bucket = parseChoice<Bucket>('bucket', stringOption(options, 'bucket'), BUCKETS);
    const taskType = parseChoice('taskType', stringOption(options, 'taskType'), TASK_TYPES);
    const filters: ReworkMetricsFilters = {
      ...(stringOption(options, 'team') ? { team: stringOption(options, 'team') } : {}),
      ...(stringOption(options, 'tool') ? { tool: stringOption(options, 'tool') } : {}),
      ...(taskType ? { taskType } : {}),
      ...(stringOption(options, 'model') ? { model: stringOption(options, 'model') } : {}),
      ...(stringOption(options, 'employee') ? { employee: stringOption(options, 'employee') } : {}),
    };
    const allGroups = options['all-groups'] === true || groupBy === 'employee' || filters.employee !== undefined;

    const runtime = await openCliRuntime();
    let rows: ReworkMetricsRow[];
    let suppressed: ProtectedReworkAnswer['suppressed'] = null;
    let period = { from, to };
    try {
      const settings = await runtime.tenantSettings.get(tenant);
      const query = {
        tenant,
        from,
        to,
        bucket,
        defaultHourlyCost: settings.defaultHourlyCost,
        defaultMinutesSavedByTaskType: settings.minutesSavedByTaskType,
        privacyMinGroupSize: settings.privacyMinGroupSize,
      };
      if (allGroups) {
        rows = await queryReworkMetrics(fromPgPool(runtime.pool), { ...query, groupBy, filters });
      } else {
        const { employee: _employee, ...shared } = filters;
        const answer = await queryProtectedReworkMetrics(fromPgPool(runtime.pool), { ...query, groupBy: groupBy as Exclude<ReworkGroupBy, 'employee'> | undefined, filters: shared });
        ({ rows, suppressed } = answer);
        period = { from: answer.from, to: answer.to };
      }
    } finally {
      await runtime.close();
    }
    const csv = metricsCsv(rows, suppressed);
    const out = stringOption(options, 'out');
    if (out) {
      writeFileSync(out, csv);
      process.stderr.write(`wrote ${rows.length} rows of rework metrics ${METRIC_VERSION} for "${tenant}" (${period.from.toISOString()} to ${period.to.toISOString()}) to ${out}\n`);
    } else {
      process.stdout.write(csv);
    }
  },
};

/**
 * The CSV of metric rows: a header, then one line per row; the withheld cells of a protected answer in a last row whose
 * group is `(suppressed: N groups)` (its figures empty when their sum is withheld too).
 */
export function metricsCsv(rows: readonly ReworkMetricsRow[], suppressed: ProtectedReworkAnswer['suppressed'] = null): string {
  const records: (string | number | null)[][] = rows.map((row) => METRICS_CSV_COLUMNS.map((column) => row[column]));
  if (suppressed !== null) {
    const sum = suppressed.sum;
    records.push(METRICS_CSV_COLUMNS.map((column) => (column === 'group' ? `(suppressed: ${suppressed.cells} groups)` : column === 'bucket' || sum === null ? null : sum[column])));
  }
  // Group names come from producers: a cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
  return stringify(records, { header: true, columns: [...METRICS_CSV_COLUMNS], escape_formulas: true });
}
