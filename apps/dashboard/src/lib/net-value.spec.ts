import type { ValueRow } from './api-types';
import { combineValueRows, netValueCoverageNote, netValueFormula, netValueUnavailableNote, valueQuery } from './net-value';

const row = (bucket: string | null, savedValue: number, lostCost: number, spend: number, other: { currency: string; amount: number }[] = []): ValueRow => ({
  group: null,
  bucket,
  savedValue,
  lostCost,
  spend,
  spendInOtherCurrencies: other,
  netAiValue: other.length > 0 ? null : savedValue - lostCost - spend,
  netAiValueUnavailable: other.length > 0 ? { reason: 'VALUE.SPEND_IN_OTHER_CURRENCY', currencies: other.map((s) => s.currency) } : null,
});

describe('Net AI value on the operations view', () => {
  it('asks for the period and team of the rework figures', () => {
    expect(valueQuery({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', team: 'data' })).toBe('from=2026-03-01T00%3A00%3A00.000Z&to=2026-04-01T00%3A00%3A00.000Z&team=data');
  });

  it('given months answered apart, then adds them up, and writes the formula out', () => {
    const value = combineValueRows([row('2026-03-01T00:00:00.000Z', 1000, 200, 50), row('2026-04-01T00:00:00.000Z', 500, 100, 50)]);
    expect(value).toEqual({ savedValue: 1500, lostCost: 300, spend: 100, spendInOtherCurrencies: [], netAiValue: 1100 });
    expect(netValueFormula(value!, 'EUR')).toBe('€1,500 value of gross time saved − €300 cost of rework − €100 spend = €1,100 net');
    expect(netValueUnavailableNote(value!, { currency: 'EUR' })).toBeNull();
  });

  it('given a month with spend in another currency, then there is no net, and the note says why', () => {
    const value = combineValueRows([row('2026-03-01T00:00:00.000Z', 1000, 200, 50, [{ currency: 'USD', amount: 3.4 }]), row('2026-04-01T00:00:00.000Z', 500, 100, 50)]);
    expect(value?.netAiValue).toBeNull();
    expect(netValueFormula(value!, 'EUR')).toBe('€1,500 value of gross time saved − €300 cost of rework − €100 spend = no net value');
    expect(netValueUnavailableNote(value!, { currency: 'EUR' })).toBe('Not computed: $3.40 of spend is in another currency than EUR, and the ledger converts no currency (as for a course\'s ROI).');
  });

  it('given no row, then nothing to show', () => {
    expect(combineValueRows([])).toBeNull();
  });

  it('given an answer of whole months with one withheld, then the note says so: the sums are those of the months shown', () => {
    const asked = { from: '2026-01-10T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
    const answer = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', suppressed: { rows: 1 } };
    expect(netValueCoverageNote(answer, asked)).toBe(
      'From 2026-01-01 to 2026-03-31 (UTC), whole months (groups are protected per month). 1 month is withheld to protect small groups (the rework or the spend of too few people) and not in these figures: they are the net value of the rest.',
    );
    expect(netValueCoverageNote({ ...answer, from: asked.from, suppressed: null }, asked)).toBe('From 2026-01-10 to 2026-03-31 (UTC).');
  });
});
