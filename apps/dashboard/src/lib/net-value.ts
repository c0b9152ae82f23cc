// Net AI value (GET /v1/metrics/value) as the operations view shows it: pure, so that it is unit-tested.
import type { Spend, ValueMetricsAnswer, ValueRow } from './api-types';
import { formatMoney } from './format';
import { lastDay } from './period';
import { widenedPeriod } from './privacy-note';
import { addSpend, formatSpend } from './usage';

/** The query string of GET /v1/metrics/value (the same period and team filter as the rework figures). */
export function valueQuery(params: { from: string; to: string; team?: string }): string {
  const search = new URLSearchParams({ from: params.from, to: params.to });
  if (params.team) search.set('team', params.team);
  return search.toString();
}

/** The figures of an answer over its whole period. */
export type NetValue = { savedValue: number; lostCost: number; spend: number; spendInOtherCurrencies: Spend[]; netAiValue: number | null };

/**
 * An answer's rows added up: a caller without admin gets a span of several months per month. The net is null as soon
 * as one month's is (spend in another currency is never converted). Null when there is no row (nothing recorded, or withheld).
 */
export function combineValueRows(rows: readonly ValueRow[]): NetValue | null {
  if (rows.length === 0) return null;
  const sum = (field: 'savedValue' | 'lostCost' | 'spend') => rows.reduce((total, row) => total + row[field], 0);
  const spendInOtherCurrencies = addSpend(...rows.map((row) => row.spendInOtherCurrencies));
  return {
    savedValue: sum('savedValue'),
    lostCost: sum('lostCost'),
    spend: sum('spend'),
    spendInOtherCurrencies,
    netAiValue: rows.some((row) => row.netAiValue === null) ? null : rows.reduce((total, row) => total + (row.netAiValue as number), 0),
  };
}

/** The formula with its figures: "€1,200 value of gross time saved − €300 cost of rework − €100 spend = €800 net". */
export function netValueFormula(value: NetValue, currency: string): string {
  const net = value.netAiValue === null ? 'no net value' : `${formatMoney(value.netAiValue, currency)} net`;
  return `${formatMoney(value.savedValue, currency)} value of gross time saved − ${formatMoney(value.lostCost, currency)} cost of rework − ${formatMoney(value.spend, currency)} spend = ${net}`;
}

/** Why there is no net value, in a sentence (null when there is one). */
export function netValueUnavailableNote(value: NetValue, answer: Pick<ValueMetricsAnswer, 'currency'>): string | null {
  if (value.netAiValue !== null) return null;
  return `Not computed: ${formatSpend(value.spendInOtherCurrencies)} of spend is in another currency than ${answer.currency}, and the ledger converts no currency (as for a course's ROI).`;
}

/**
 * What the figures cover, in a sentence: the days (whole months for a caller without admin, whose answer is per
 * month), and the months or groups withheld to protect small groups, which are not in the sums (never their figures).
 */
export function netValueCoverageNote(answer: Pick<ValueMetricsAnswer, 'from' | 'to' | 'suppressed'>, asked: { from: string; to: string }): string {
  const period = `From ${answer.from.slice(0, 10)} to ${lastDay(answer.to)} (UTC)${widenedPeriod(answer, asked) ? ', whole months (groups are protected per month)' : ''}.`;
  const withheld = answer.suppressed?.rows ?? 0;
  if (withheld === 0) return period;
  return `${period} ${withheld} ${withheld === 1 ? 'month is' : 'months are'} withheld to protect small groups (the rework or the spend of too few people) and not in these figures: they are the net value of the rest.`;
}
