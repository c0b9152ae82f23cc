import { type Bucket, bucketStart } from './metric-definitions';

/**
 * The aligned periods of privacy v2 (PRODUCT.md): a non-admin answer is a sum of published cells of the protected
 * tables of whole periods, never of an arbitrary window (two windows a day apart would give that day by subtraction).
 * The period is the answer's bucket; an answer without one is built from whole months.
 */
export function privacyPeriodOf(bucket: Bucket | undefined): Bucket {
  return bucket ?? 'month';
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
