import type { Bucket, SeatCost, ValueGroupBy } from '@rework-ledger/domain';
import { queryProtectedReworkMetrics } from '../rework-metrics/protected-rework-metrics';
import { queryReworkMetrics } from '../rework-metrics/rework-metrics.query';
import type { SqlQueryable } from '../sql-queryable';
import { queryProtectedUsageMetrics, queryUsageMetrics } from '../usage/usage.queries';
import { joinValueRows, type ValueRow } from './net-ai-value';

export type ValueMetricsQuery = Readonly<{
  tenant: string;
  from: Date;
  to: Date;
  groupBy?: ValueGroupBy;
  bucket?: Bucket;
  filters?: Readonly<{ team?: string; tool?: string }>;
  /** The tenant's currency: the rework figures' and the one spend is netted in. */
  currency: string;
  defaultHourlyCost: number;
  defaultMinutesSavedByTaskType: Readonly<Record<string, number>>;
  privacyMinGroupSize: number;
  seatCosts?: readonly SeatCost[];
}>;

export type ValueMetricsAnswer = {
  /** [from, to) as answered: widened to whole months for a caller without admin. */
  from: Date;
  to: Date;
  bucket: Bucket | undefined;
  rows: ValueRow[];
  /** Callers without admin: how many rows either source withheld (never their figures: each source sums its own). */
  withheldRows: number;
};

/** Net AI value, exact (callers with admin): the rework metrics and the usage spend of the same rows, side by side. */
export async function queryValueMetrics(db: SqlQueryable, query: ValueMetricsQuery): Promise<ValueMetricsAnswer> {
  const rework = await queryReworkMetrics(db, query);
  const usage = await queryUsageMetrics(db, query);
  return { from: query.from, to: query.to, bucket: query.bucket, rows: joinValueRows(rework, usage, query.currency), withheldRows: 0 };
}

/**
 * Net AI value for a caller without admin (privacy v2): each source answers from its own protected tables over the
 * same whole months (the usage answer's bucket, month whenever it spans more than one, asked of the rework answer
 * too, so that a row of either is one cell of the same month), and a row either source withheld is left out.
 */
export async function queryProtectedValueMetrics(db: SqlQueryable, query: ValueMetricsQuery): Promise<ValueMetricsAnswer> {
  const usage = await queryProtectedUsageMetrics(db, query);
  const rework = await queryProtectedReworkMetrics(db, { ...query, bucket: usage.bucket });
  const withheld = [...rework.withheldRows, ...usage.withheldRows];
  const unanswered = rework.suppressed?.reason === 'WITHHELD.NOT_IN_PROTECTED_TABLES' || usage.suppressed?.reason === 'WITHHELD.NOT_IN_PROTECTED_TABLES';
  return {
    from: usage.from,
    to: usage.to,
    bucket: usage.bucket,
    rows: unanswered ? [] : joinValueRows(rework.rows, usage.rows, query.currency, withheld),
    withheldRows: new Set(withheld.map((row) => `${row.bucket ?? ''}\u0000${row.group ?? ''}`)).size,
  };
}
