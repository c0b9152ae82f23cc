import { joinValueRows, netAiValue } from './net-ai-value';

describe('netAiValue', () => {
  it('given spend in the tenant currency only, then it is saved value − cost of rework − spend', () => {
    expect(netAiValue(150, 35, [{ currency: 'EUR', amount: 45 }], 'EUR')).toEqual({ spend: 45, spendInOtherCurrencies: [], netAiValue: 70, netAiValueUnavailable: null });
    expect(netAiValue(10, 35, [], 'EUR')).toMatchObject({ spend: 0, netAiValue: -25 });
  });

  it('given some spend in another currency, then it is null with the reason and those currencies, never converted', () => {
    expect(netAiValue(150, 35, [{ currency: 'EUR', amount: 45 }, { currency: 'GBP', amount: 1 }, { currency: 'USD', amount: 3 }], 'EUR')).toEqual({
      spend: 45,
      spendInOtherCurrencies: [{ currency: 'GBP', amount: 1 }, { currency: 'USD', amount: 3 }],
      netAiValue: null,
      netAiValueUnavailable: { reason: 'VALUE.SPEND_IN_OTHER_CURRENCY', currencies: ['GBP', 'USD'] },
    });
  });

  it('given a zero amount in another currency, then there is nothing to convert: the net stands', () => {
    expect(netAiValue(100, 0, [{ currency: 'USD', amount: 0 }], 'EUR')).toMatchObject({ netAiValue: 100, netAiValueUnavailable: null });
  });
});

describe('joinValueRows', () => {
  const march = '2026-03-01T00:00:00.000Z';
  it('given rows of either source only, then the other source counts zero, and rows come by bucket then group', () => {
    const rows = joinValueRows(
      [{ group: 'data', bucket: march, savedValue: 90, lostCost: 35 }],
      [
        { group: 'tools-only', bucket: march, spend: [{ currency: 'EUR', amount: 12 }] },
        { group: 'data', bucket: march, spend: [{ currency: 'EUR', amount: 25 }] },
      ],
      'EUR',
    );
    expect(rows.map((row) => [row.group, row.savedValue, row.lostCost, row.spend, row.netAiValue])).toEqual([
      ['data', 90, 35, 25, 30],
      ['tools-only', 0, 0, 12, -12],
    ]);
  });

  it('given a row withheld by either source, then it is left out, even where the other published it', () => {
    const rows = joinValueRows(
      [
        { group: 'a', bucket: null, savedValue: 1, lostCost: 0 },
        { group: 'b', bucket: null, savedValue: 2, lostCost: 0 },
      ],
      [{ group: 'b', bucket: null, spend: [] }],
      'EUR',
      [{ group: 'a', bucket: null }],
    );
    expect(rows.map((row) => row.group)).toEqual(['b']);
  });
});
