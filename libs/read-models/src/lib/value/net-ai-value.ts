import { compareAnswerKeys, type Spend, spendList } from '../usage/usage.queries';

/** Why a row has no Net AI value. */
export type NetAiValueUnavailable = Readonly<{
  /** Some of its spend is in another currency than the tenant's: it cannot be subtracted (there is no exchange rate). */
  reason: 'VALUE.SPEND_IN_OTHER_CURRENCY';
  /** Those currencies, in alphabetical order. */
  currencies: string[];
}>;

/** One row of `GET /v1/metrics/value`: a group and bucket's rework figures and spend side by side, and their net. */
export type ValueRow = {
  group: string | null;
  bucket: string | null;
  /** Gross saved hours priced at the authors' hourly costs (the tenant default when unknown), tenant currency. */
  savedValue: number;
  /** The cost of rework (lostCost of the rework metrics), tenant currency. */
  lostCost: number;
  /** Spend (usage cost and licence seats) in the tenant currency. */
  spend: number;
  /** Spend in other currencies, kept apart (it makes netAiValue null). */
  spendInOtherCurrencies: Spend[];
  /** savedValue − lostCost − spend; null (with `netAiValueUnavailable`) when some spend is in another currency. */
  netAiValue: number | null;
  netAiValueUnavailable: NetAiValueUnavailable | null;
};

/** The rework side of a row (the rework metrics' figures). */
export type ValueOfRework = Readonly<{ group: string | null; bucket: string | null; savedValue: number; lostCost: number }>;
/** The spend side of a row (the usage metrics' spend per currency). */
export type SpendOfUsage = Readonly<{ group: string | null; bucket: string | null; spend: readonly Spend[] }>;

/**
 * Net AI value (PRODUCT.md "Connectors"): the value of the time AI saved, less the cost of its rework, less what the
 * tools cost. Spend in another currency than the tenant's is never converted: the net is then null, with the reason
 * (as a course's ROI is when the course is priced in another currency).
 */
export function netAiValue(savedValue: number, lostCost: number, spend: readonly Spend[], currency: string): Pick<ValueRow, 'spend' | 'spendInOtherCurrencies' | 'netAiValue' | 'netAiValueUnavailable'> {
  const inCurrency = spend.filter((s) => s.currency === currency).reduce((sum, s) => sum + s.amount, 0);
  const other = spend.filter((s) => s.currency !== currency && s.amount !== 0).map((s) => ({ ...s }));
  if (other.length > 0) {
    return {
      spend: inCurrency,
      spendInOtherCurrencies: other,
      netAiValue: null,
      netAiValueUnavailable: { reason: 'VALUE.SPEND_IN_OTHER_CURRENCY', currencies: other.map((s) => s.currency) },
    };
  }
  return { spend: inCurrency, spendInOtherCurrencies: [], netAiValue: savedValue - lostCost - inCurrency, netAiValueUnavailable: null };
}

const keyOf = (row: { group: string | null; bucket: string | null }) => `${row.bucket ?? ''}\u0000${row.group ?? ''}`;

/**
 * The rows of both sources side by side, by bucket and group: a row one source has and the other has not is that
 * source's zero (a tool with spend but no outputs; outputs without usage reported). A row either source withheld
 * (`withheld`, privacy) is left out, so that the answer never shows a small group through the other source.
 */
export function joinValueRows(
  rework: readonly ValueOfRework[],
  usage: readonly SpendOfUsage[],
  currency: string,
  withheld: readonly { group: string | null; bucket: string | null }[] = [],
): ValueRow[] {
  const hidden = new Set(withheld.map(keyOf));
  const rows = new Map<string, { group: string | null; bucket: string | null; savedValue: number; lostCost: number; spend: Spend[] }>();
  const rowOf = (key: { group: string | null; bucket: string | null }) => {
    let row = rows.get(keyOf(key));
    if (row === undefined) rows.set(keyOf(key), (row = { group: key.group, bucket: key.bucket, savedValue: 0, lostCost: 0, spend: [] }));
    return row;
  };
  for (const part of rework) {
    const row = rowOf(part);
    row.savedValue += part.savedValue;
    row.lostCost += part.lostCost;
  }
  for (const part of usage) rowOf(part).spend.push(...part.spend);
  return [...rows.entries()]
    .filter(([key]) => !hidden.has(key))
    .map(([, row]) => ({ group: row.group, bucket: row.bucket, savedValue: row.savedValue, lostCost: row.lostCost, ...netAiValue(row.savedValue, row.lostCost, sumByCurrency(row.spend), currency) }))
    .sort((a, b) => compareAnswerKeys(a.bucket, b.bucket) || compareAnswerKeys(a.group, b.group));
}

function sumByCurrency(spend: readonly Spend[]): Spend[] {
  const sums = new Map<string, number>();
  for (const { currency, amount } of spend) sums.set(currency, (sums.get(currency) ?? 0) + amount);
  return spendList(sums);
}
