import { widenedPeriod, withheldNote } from './privacy-note';

const figures = { outputs: 12, reworkedOutputs: 3, reworkRate: 0.25, doubleCheckRate: 0, corrections: 3, rewrites: 0, doubleChecks: 0, discards: 0, reworkMinutes: 45, lostHours: 0.75, lostCost: 45, grossSavedHours: 2, netSavedHours: 1.25 };
const nulls = Object.fromEntries(Object.keys(figures).map((key) => [key, null])) as unknown as typeof figures;

describe('withheldNote', () => {
  it('given nothing withheld, then there is nothing to say', () => {
    expect(withheldNote({ suppressed: null })).toBeNull();
  });

  it('given withheld groups whose sum is shown, then it says how many were withheld and why', () => {
    expect(withheldNote({ suppressed: { ...figures, rows: 3 } })).toBe('Figures of 3 groups withheld to protect small groups (their sum is shown as one row).');
  });

  it('given a sum withheld too, then it says so', () => {
    expect(withheldNote({ suppressed: { ...nulls, rows: 1, reason: 'WITHHELD.SMALL_REMAINDER' } })).toBe(
      'Figures of 1 group withheld to protect small groups (even their sum would show too few people).',
    );
  });

  it('given filters outside the protected tables, then it says the combination is not published', () => {
    expect(withheldNote({ suppressed: { ...nulls, rows: 0, reason: 'WITHHELD.NOT_IN_PROTECTED_TABLES' } })).toMatch(/not published/);
  });
});

describe('widenedPeriod', () => {
  it('tells when the answer covers whole periods around the asked ones', () => {
    expect(widenedPeriod({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' }, { from: '2026-03-05T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' })).toBe(true);
    expect(widenedPeriod({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' }, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })).toBe(false);
  });
});
