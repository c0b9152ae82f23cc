import type { ReworkMetricsRow } from '@rework-ledger/read-models';
import { metricsCsv } from './metrics-export.command';

const row = (group: string, netSavedHours: number): ReworkMetricsRow =>
  ({
    group,
    bucket: null,
    outputs: 10,
    reworkedOutputs: 1,
    reworkRate: 0.1,
    doubleCheckRate: 0,
    corrections: 1,
    rewrites: 0,
    doubleChecks: 0,
    discards: 0,
    reworkMinutes: 15,
    lostHours: 0.25,
    lostCost: 15,
    savedValue: 0,
    grossSavedHours: 0,
    netSavedHours,
    doubleCheckedOutputs: 0,
    employees: 10,
  }) as ReworkMetricsRow;

describe('metrics CSV', () => {
  it('given a group named like a formula, then the cell is escaped so that no spreadsheet runs it; negative numbers stay numbers', () => {
    const csv = metricsCsv([row('=HYPERLINK("http://evil.example","x")', -0.25), row('@SUM(A1)', 1), row('+1', 1), row('-2+3', 1)]);
    const lines = csv.trim().split('\n');
    expect(lines[1].startsWith(`"'=HYPERLINK(""http://evil.example"",""x"")"`)).toBe(true);
    expect(lines[1].endsWith(',-0.25')).toBe(true);
    expect(lines[2].startsWith("'@SUM(A1),")).toBe(true);
    expect(lines[3].startsWith("'+1,")).toBe(true);
    expect(lines[4].startsWith("'-2+3,")).toBe(true);
  });
});
