// Adoption and spend (GET /v1/metrics/usage) as the operations view shows them: pure, so that it is unit-tested.
import type { GroupBy, Spend, UsageGroupBy, UsageMetricsAnswer, UsageRow } from './api-types';
import { NO_VALUE } from './format';

/** The usage grouping of a rework grouping: usage has no task type (the API answers 400 to it), so none then. */
export function usageGroupBy(groupBy: GroupBy): UsageGroupBy | null {
  return groupBy === 'taskType' ? null : groupBy;
}

/** The query string of GET /v1/metrics/usage (the same period and team filter as the rework figures). */
export function usageQuery(params: { from: string; to: string; groupBy?: UsageGroupBy | null; team?: string }): string {
  const search = new URLSearchParams({ from: params.from, to: params.to });
  if (params.groupBy) search.set('groupBy', params.groupBy);
  if (params.team) search.set('team', params.team);
  return search.toString();
}

/** Spend lists added per currency (never across currencies), currencies in alphabetical order. */
export function addSpend(...lists: readonly (readonly Spend[] | null | undefined)[]): Spend[] {
  const byCurrency = new Map<string, number>();
  for (const list of lists) for (const { currency, amount } of list ?? []) byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + amount);
  return [...byCurrency.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, amount]) => ({ currency, amount }));
}

/** One amount of one currency: whole units from 100 up ("$1,234"), cents below ("€3.40"); a currency without a symbol by its code. */
export function formatSpendAmount({ currency, amount }: Spend): string {
  const digits = Math.abs(amount) >= 100 ? 0 : 2;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  } catch {
    return `${new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount)} ${currency}`;
  }
}

/** A spend list as text, one amount per currency ("€12 · $1,234"); the placeholder when there is none (or withheld). */
export function formatSpend(spend: readonly Spend[] | null | undefined): string {
  if (!spend || spend.length === 0) return NO_VALUE;
  return spend.map(formatSpendAmount).join(' · ');
}

/** The figures of one group over the whole period, from its rows of one or more buckets. */
export type CombinedUsage = {
  group: string | null;
  /**
   * Distinct active users: of the one row when the period is one row; the most of any one month when the answer
   * comes per month (a person active in two months is one person: monthly figures are not added up).
   */
  activeUsers: number;
  requests: number;
  suggestions: number;
  acceptances: number;
  acceptanceRate: number | null;
  credits: number;
  spend: Spend[];
  /** How many buckets (months) the figures were combined from. */
  buckets: number;
};

/**
 * The rows of an answer combined per group: a caller without admin gets a span of several months per month, so the
 * sums are added over the months and the acceptance rate recomputed from them; groups in the order they first come.
 */
export function combineUsageRows(rows: readonly UsageRow[]): CombinedUsage[] {
  const byGroup = new Map<string | null, CombinedUsage>();
  for (const row of rows) {
    const current = byGroup.get(row.group);
    if (!current) {
      byGroup.set(row.group, {
        group: row.group,
        activeUsers: row.activeUsers,
        requests: row.requests,
        suggestions: row.suggestions,
        acceptances: row.acceptances,
        acceptanceRate: null,
        credits: row.credits,
        spend: addSpend(row.spend),
        buckets: 1,
      });
      continue;
    }
    current.activeUsers = Math.max(current.activeUsers, row.activeUsers);
    current.requests += row.requests;
    current.suggestions += row.suggestions;
    current.acceptances += row.acceptances;
    current.credits += row.credits;
    current.spend = addSpend(current.spend, row.spend);
    current.buckets += 1;
  }
  return [...byGroup.values()].map((combined) => ({ ...combined, acceptanceRate: combined.suggestions > 0 ? combined.acceptances / combined.suggestions : null }));
}

/** The label of the active users figure: "Active users", or "Active users (most in a month)" when months were combined. */
export function activeUsersLabel(combined: Pick<CombinedUsage, 'buckets'>): string {
  return combined.buckets > 1 ? 'Active users (most in a month)' : 'Active users';
}

/** Whether an answer recorded any usage at all (its rows, or what it withheld). */
export function hasUsage(answer: Pick<UsageMetricsAnswer, 'rows' | 'suppressed'>): boolean {
  return answer.rows.length > 0 || answer.suppressed !== null;
}
