import { type Bucket, bucketStart } from './metric-definitions';

/**
 * The aligned period of privacy v2 (PRODUCT.md): a non-admin answer is a sum of published cells of the protected
 * tables of whole periods, never of an arbitrary window (two windows a day apart would give that day by subtraction).
 * ONE period for every answer, whatever its bucket: tables protected per day and per month apart would each be safe
 * alone, but their suppression patterns differ (the partner of a small team is another team on one day than over the
 * month), so the month total minus the month's published teams minus a team summed from its published days gives the
 * small team exactly. Every non-admin rework answer and skills gap is therefore a sum of published month cells.
 */
export const PRIVACY_PERIOD: Bucket = 'month';

/** The longest span a caller without admin may ask for, in periods: each period's tables are protected on request. */
export const MAX_PRIVACY_PERIODS = 36;

/** The bucket of a non-admin answer: the privacy period when bucketed (a day or week bucket is answered per month). */
export function privacyBucketOf(bucket: Bucket | undefined): Bucket | undefined {
  return bucket === undefined ? undefined : PRIVACY_PERIOD;
}

/** How many whole periods [from, to) spans (both already snapped). */
export function periodsBetween(from: Date, to: Date, period: Bucket): number {
  let count = 0;
  for (let start = from; start < to; start = nextPeriodStart(start, period)) count++;
  return count;
}

/** The start of the period after the one that contains `time`. */
export function nextPeriodStart(time: Date, period: Bucket): Date {
  const start = bucketStart(time, period);
  if (period === 'month') return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return new Date(start.getTime() + (period === 'week' ? 7 : 1) * 86_400_000);
}

/** [from, to) widened outward to whole periods: from to the start of its period, to to the end of the period it ends in. */
export function snapToPeriods(from: Date, to: Date, period: Bucket): { from: Date; to: Date } {
  const snappedTo = bucketStart(to, period).getTime() === to.getTime() ? to : nextPeriodStart(to, period);
  return { from: bucketStart(from, period), to: snappedTo };
}
