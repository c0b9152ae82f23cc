import { type CellCoordinates, CROSSED_DIMENSIONS } from '@rework-ledger/domain';
import { composeProtectedAnswer } from './protected-rework-metrics';
import type { ReworkCell, ReworkMetricsRow } from './rework-metrics.query';

/** The cells of one period for people (team, tool): every table, one output per person, all on task type coding, no model. */
function cellsOf(period: string, people: readonly { id: string; team: string; tool: string }[]): ReworkCell[] {
  const cells = new Map<string, { coordinates: CellCoordinates; ids: Set<string> }>();
  const add = (coordinates: CellCoordinates, id: string) => {
    const key = JSON.stringify(coordinates);
    const cell = cells.get(key) ?? { coordinates, ids: new Set<string>() };
    cell.ids.add(id);
    cells.set(key, cell);
  };
  for (const person of people) {
    const values = { tool: person.tool, taskType: 'coding', model: '(unspecified)' };
    add({}, person.id);
    add({ team: person.team }, person.id);
    for (const dimension of CROSSED_DIMENSIONS) {
      add({ [dimension]: values[dimension] }, person.id);
      add({ team: person.team, [dimension]: values[dimension] }, person.id);
    }
  }
  return [...cells.values()].map(({ coordinates, ids }) => ({ period, coordinates, row: row(period, ids.size, [...ids].sort()) }));
}

function row(bucket: string, outputs: number, ids: string[]): ReworkMetricsRow {
  return {
    group: null,
    bucket,
    outputs,
    reworkedOutputs: 0,
    reworkRate: 0,
    doubleCheckRate: 0,
    corrections: 0,
    rewrites: 0,
    doubleChecks: 0,
    discards: 0,
    reworkMinutes: 0,
    lostHours: 0,
    lostCost: 0,
    savedValue: 0,
    grossSavedHours: 0,
    netSavedHours: 0,
    doubleCheckedOutputs: 0,
    employees: ids.length,
    ...(ids.length < 5 ? { employeeIds: ids } : {}),
  };
}

const team = (name: string, size: number, tool = 'copilot') => Array.from({ length: size }, (_, i) => ({ id: `${name}-${i}`, team: name, tool }));
const MARCH = '2026-03-01T00:00:00.000Z';
const APRIL = '2026-04-01T00:00:00.000Z';

describe('composeProtectedAnswer (k = 5)', () => {
  it('given two months, then an unbucketed row sums the published months of its group, the withheld month goes to suppressed', () => {
    const cells = [...cellsOf(MARCH, [...team('a', 6), ...team('b', 7), ...team('c', 2)]), ...cellsOf(APRIL, [...team('a', 6), ...team('b', 7), ...team('c', 8)])];
    const answer = composeProtectedAnswer(cells, 5, 'team', false, {});
    // March: c (2) withheld with a (6, the smallest partner); April: everything published.
    expect(answer.rows.map((r) => [r.group, r.outputs])).toEqual([
      ['a', 6],
      ['b', 14],
      ['c', 8],
    ]);
    expect(answer.suppressed).toMatchObject({ cells: 2, sum: { outputs: 8 } });
    // The rows those withheld cells belong to (what an answer joined with another source withholds too).
    expect(answer.withheldRows.map((r) => r.group).sort()).toEqual(['a', 'c']);
  });

  it('given a bucket, then rows are per bucket and group', () => {
    const cells = [...cellsOf(MARCH, [...team('a', 6), ...team('b', 7)]), ...cellsOf(APRIL, [...team('a', 6), ...team('b', 7)])];
    const answer = composeProtectedAnswer(cells, 5, 'team', true, {});
    expect(answer.rows.map((r) => [r.bucket, r.group])).toEqual([
      [MARCH, 'a'],
      [MARCH, 'b'],
      [APRIL, 'a'],
      [APRIL, 'b'],
    ]);
    expect(answer.suppressed).toBeNull();
  });

  it('given a filter on the grouping dimension, then the row is that one cell, under its group', () => {
    const answer = composeProtectedAnswer(cellsOf(MARCH, [...team('a', 6), ...team('b', 7)]), 5, 'team', false, { team: 'b' });
    expect(answer.rows.map((r) => [r.group, r.outputs])).toEqual([['b', 7]]);
  });

  it('given a single withheld cell (no line to derive it from), then its sum is withheld, with the reason', () => {
    const answer = composeProtectedAnswer(cellsOf(MARCH, [...team('a', 6), ...team('b', 7), ...team('c', 2)]), 5, undefined, false, { team: 'c' });
    expect(answer).toEqual({ rows: [], suppressed: { cells: 1, sum: null, reason: 'WITHHELD.SMALL_REMAINDER' }, withheldRows: [{ group: null, bucket: null }] });
  });

  it('given filters on two dimensions besides team, then nothing is answered', () => {
    const answer = composeProtectedAnswer(cellsOf(MARCH, team('a', 6)), 5, undefined, false, { tool: 'copilot', model: '(unspecified)' });
    expect(answer).toEqual({ rows: [], suppressed: { cells: 0, sum: null, reason: 'WITHHELD.NOT_IN_PROTECTED_TABLES' }, withheldRows: [] });
  });
});
