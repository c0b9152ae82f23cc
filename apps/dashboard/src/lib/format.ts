// Number formatting of the dashboard: pure, locale fixed (en-US) so that what is shown is what is tested.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A placeholder for a figure that does not exist (no outputs) or is withheld (privacy). */
export const NO_VALUE = '–';

/** A count: 12,345. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? NO_VALUE : integer.format(value);
}

/** A rate (0..1) as a percentage with one decimal: 0.1834 → "18.3%". */
export function formatRate(value: number | null | undefined): string {
  return value === null || value === undefined ? NO_VALUE : `${(value * 100).toFixed(1)}%`;
}

/** Hours: whole hours from 10 up ("1,234 h"), one decimal below ("3.5 h"). */
export function formatHours(value: number | null | undefined, unit = ' h'): string {
  if (value === null || value === undefined) return NO_VALUE;
  return `${Math.abs(value) >= 10 ? integer.format(value) : oneDecimal.format(value)}${unit}`;
}

/** Money in the tenant's currency, whole units: "€12,340", "US$990", or "12,340 XYZ" for a code Intl does not know. */
export function formatMoney(value: number | null | undefined, currency: string): string {
  if (value === null || value === undefined) return NO_VALUE;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(value);
  } catch {
    return `${integer.format(value)} ${currency}`;
  }
}

/** Magnitude of a change in rate, in percentage points: 0.06 → "6", 0.034 → "3.4", 0.123 → "12". */
export function formatPoints(rateDifference: number): string {
  const points = Math.abs(rateDifference * 100);
  return points >= 10 ? integer.format(points) : oneDecimal.format(points);
}

/** A change in rate with its sign, in points: −0.06 → "−6 pts", 0.02 → "+2 pts", 0 → "0 pts". */
export function formatSignedPoints(rateDifference: number | null | undefined): string {
  if (rateDifference === null || rateDifference === undefined) return NO_VALUE;
  const magnitude = formatPoints(rateDifference);
  if (magnitude === '0') return '0 pts';
  return `${rateDifference < 0 ? '−' : '+'}${magnitude} pts`;
}

/** An interval of rate differences in signed points: [−0.05, 0.01] → "−5 to +1 pts". */
export function formatPointsInterval(interval: readonly [number, number] | null | undefined, unit = ' pts'): string {
  if (!interval) return NO_VALUE;
  const signed = (value: number) => formatSignedPoints(value).replace(' pts', '');
  return `${signed(interval[0])} to ${signed(interval[1])}${unit}`;
}

/** A return on investment (fraction) as a whole percentage: 3.2 → "320%", −0.4 → "−40%". */
export function formatRoi(roi: number | null | undefined): string {
  if (roi === null || roi === undefined) return NO_VALUE;
  const percent = Math.round(roi * 100);
  return `${percent < 0 ? '−' : ''}${integer.format(Math.abs(percent))}%`;
}

/** An ROI range: [1.5, 4.8] → "150–480%"; with a negative end: "−40% to 120%". */
export function formatRoiRange(range: readonly [number, number] | null | undefined): string {
  if (!range) return NO_VALUE;
  const [low, high] = range;
  if (low >= 0 && high >= 0) return `${integer.format(Math.round(low * 100))}–${integer.format(Math.round(high * 100))}%`;
  return `${formatRoi(low)} to ${formatRoi(high)}`;
}

/** Days to pay back a course: "38 days", "1 day", or a dash when it does not pay back. */
export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined || !Number.isFinite(days)) return NO_VALUE;
  const rounded = Math.max(1, Math.round(days));
  return `${integer.format(rounded)} day${rounded === 1 ? '' : 's'}`;
}

/** How the API's time horizon reads in a sentence: 90 → "a quarter", 30 → "a month", 365 → "a year", else "in 45 days". */
export function formatHorizon(days: number): string {
  if (days >= 89 && days <= 92) return 'a quarter';
  if (days >= 28 && days <= 31) return 'a month';
  if (days === 365 || days === 366) return 'a year';
  if (days === 7) return 'a week';
  return `over ${integer.format(days)} days`;
}

/** A task type as people say it: "decision-support" → "decision support". */
export function taskTypeLabel(taskType: string): string {
  return taskType.replace(/-/g, ' ');
}

/** A bucket's start as a short date: "2025-03-03T00:00:00.000Z" → "3 Mar" (week, day) or "Mar 2025" (month). */
export function formatBucket(iso: string | null, bucket: 'day' | 'week' | 'month'): string {
  if (!iso) return NO_VALUE;
  const date = new Date(iso);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return bucket === 'month' ? `${month} ${date.getUTCFullYear()}` : `${date.getUTCDate()} ${month}`;
}
