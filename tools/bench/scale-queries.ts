// The requests of the dashboard, as apps/dashboard/src builds them (the bench does not import the dashboard: it is built
// by Vite apart from the server). Operations view (views/OperationsView.tsx, with UsageSection and NetValueSection):
// four GET /v1/metrics/rework for the period (total; the trend by the bucket; the breakdown; by team, or by tool in a
// team's drill-down), GET /v1/metrics/usage (total, and by the breakdown unless it is the task type) and
// GET /v1/metrics/value. Learning view (views/LearningView.tsx): GET /v1/training/courses, then each course's
// GET /v1/training/courses/{courseId}/impact.

const DAY_MS = 86_400_000;

export type Bucket = 'day' | 'week' | 'month';
export type GroupBy = 'team' | 'tool' | 'taskType' | 'model';

/** lib/period.ts `bucketStart`: the start (UTC) of the day, ISO week or month that contains `time`. */
function bucketStart(time: number, bucket: Bucket): number {
  const day = Math.floor(time / DAY_MS) * DAY_MS;
  if (bucket === 'day') return day;
  if (bucket === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const date = new Date(day);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** lib/period.ts `periodRange`: whole UTC days ending with today, `from` moved back to the start of its bucket. */
export function periodRange(days: number, now: Date, bucket?: Bucket): { from: string; to: string } {
  const to = Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  const from = bucket ? bucketStart(to - days * DAY_MS, bucket) : to - days * DAY_MS;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** lib/period.ts `defaultBucket`. */
export const defaultBucket = (days: number): Bucket => (days <= 31 ? 'day' : days <= 200 ? 'week' : 'month');

const query = (params: Record<string, string | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  return search.toString();
};

/** One request of a view, named for the figures table. */
export type DashboardRequest = Readonly<{ name: string; path: string }>;

/**
 * The operations view's requests for a period of `days` ending `now`, with the view's defaults (bucket by the period,
 * breakdown by team), or a team's drill-down (breakdown by task type, then by tool). Duplicates kept: the page sends them.
 */
export function operationsViewRequests(days: number, now: Date, team?: string): DashboardRequest[] {
  const bucket = defaultBucket(days);
  const range = periodRange(days, now, bucket);
  const base = { ...range, team };
  const groupBy: GroupBy = team ? 'taskType' : 'team';
  const second: GroupBy = team ? 'tool' : 'team';
  const usageBy = groupBy === 'taskType' ? undefined : groupBy;
  return [
    { name: 'rework: total', path: `/v1/metrics/rework?${query(base)}` },
    { name: `rework: bucket=${bucket}`, path: `/v1/metrics/rework?${query({ ...base, bucket })}` },
    { name: `rework: groupBy=${groupBy}`, path: `/v1/metrics/rework?${query({ ...base, groupBy })}` },
    { name: `rework: groupBy=${second}`, path: `/v1/metrics/rework?${query({ ...base, groupBy: second })}` },
    { name: 'usage: total', path: `/v1/metrics/usage?${query(base)}` },
    ...(usageBy ? [{ name: `usage: groupBy=${usageBy}`, path: `/v1/metrics/usage?${query({ ...base, groupBy: usageBy })}` }] : []),
    { name: 'value: total', path: `/v1/metrics/value?${query(base)}` },
  ];
}

/** PRODUCT.md's target query: `GET /v1/metrics/rework?groupBy=team&bucket=week` over a year (the 365-day period). */
export function targetReworkRequest(now: Date): DashboardRequest {
  const range = periodRange(365, now, 'week');
  return { name: 'rework: groupBy=team&bucket=week, a year (the target query)', path: `/v1/metrics/rework?${query({ ...range, groupBy: 'team', bucket: 'week' })}` };
}

export const courseImpactPath = (courseId: string) => `/v1/training/courses/${encodeURIComponent(courseId)}/impact`;
export const COURSES_PATH = '/v1/training/courses';
