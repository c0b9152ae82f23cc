import type { Bucket, ReworkFigures, ReworkRow } from './api-types';
import { formatCount, formatHours, formatMoney, formatRate, taskTypeLabel } from './format';

const DAY_MS = 86_400_000;

/** The periods the dashboard offers, in days back from the end of today (UTC). */
export const PERIODS = [
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 182, label: 'Last 6 months' },
  { days: 365, label: 'Last 12 months' },
] as const;

/** Start (UTC) of the day, ISO week (Monday) or month that contains `time`, as the API buckets them. */
export function bucketStart(time: number, bucket: Bucket): number {
  const day = Math.floor(time / DAY_MS) * DAY_MS;
  if (bucket === 'day') return day;
  if (bucket === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const date = new Date(day);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * [from, to) of a period of whole UTC days ending with today: the same all day long, so the numbers are stable.
 * With a bucket, `from` moves back to the start of its bucket, so that the first bar of a trend is not a partial one.
 */
export function periodRange(days: number, now: Date, bucket?: Bucket): { from: string; to: string } {
  const to = Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  const from = bucket ? bucketStart(to - days * DAY_MS, bucket) : to - days * DAY_MS;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** A sensible bucket for a period: days for a month, weeks up to half a year, months beyond. */
export function defaultBucket(days: number): Bucket {
  if (days <= 31) return 'day';
  if (days <= 200) return 'week';
  return 'month';
}

/** The query string of GET /v1/metrics/rework. */
export function reworkQuery(params: { from: string; to: string; groupBy?: string; bucket?: Bucket; team?: string }): string {
  const search = new URLSearchParams({ from: params.from, to: params.to });
  if (params.groupBy) search.set('groupBy', params.groupBy);
  if (params.bucket) search.set('bucket', params.bucket);
  if (params.team) search.set('team', params.team);
  return search.toString();
}

/** The label of a group value in a chart or table. */
export function groupLabel(groupBy: string, value: string | null): string {
  if (value === null) return '(all)';
  return groupBy === 'taskType' ? taskTypeLabel(value) : value;
}

/**
 * The first sentence of the operations view: how much rework cost in the period, against the time AI saved, and
 * where most of it was lost.
 */
export function operationsHeadline(
  total: ReworkFigures | undefined,
  currency: string,
  periodLabel: string,
  byTeam: readonly ReworkRow[] = [],
  team?: string,
): string {
  const scope = team ? `team ${team}` : 'your organisation';
  if (!total || total.outputs === 0) return `No AI outputs were recorded for ${scope} in this period.`;
  const lost = `${formatHours(total.lostHours, ' hours')} (${formatMoney(total.lostCost, currency)})`;
  const parts = [
    `${periodLabel}, ${formatRate(total.reworkRate)} of ${formatCount(total.outputs)} AI outputs in ${scope} needed rework: ${lost} lost.`,
    `AI saved an estimated ${formatHours(total.grossSavedHours, ' hours')}, ${formatHours(total.netSavedHours, ' hours')} after rework.`,
  ];
  const worst = [...byTeam].filter((row) => row.group !== null).sort((a, b) => b.lostHours - a.lostHours)[0];
  if (!team && worst && byTeam.length > 1) parts.push(`The most time is lost in team ${worst.group} (${formatHours(worst.lostHours, ' hours')}).`);
  return parts.join(' ');
}

/** The last day of [from, to) as a date (YYYY-MM-DD): the day before `to`. */
export const lastDay = (to: string): string => new Date(Date.parse(to) - 1).toISOString().slice(0, 10);
