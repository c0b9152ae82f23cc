import { auditProtection, cellKey, type CellCoordinates, CROSSED_DIMENSIONS } from '@rework-ledger/domain';
import type { ReworkCell, ReworkMetricsRow } from '@rework-ledger/read-models';
import { isPublished, protectMonths } from './protected-months';

const K = 5;

/** Employees of one month: id, team, tool, task type, model, outputs. */
type Person = [id: string, team: string, tool: string, taskType: string, model: string, outputs: number];

/** The dimensions of each protected table: the total, the team totals, the one-way tables, the team × dimension cross-tables. */
const TABLES: readonly (readonly ('team' | (typeof CROSSED_DIMENSIONS)[number])[])[] = [
  [],
  ['team'],
  ...CROSSED_DIMENSIONS.map((dimension) => [dimension]),
  ...CROSSED_DIMENSIONS.map((dimension) => ['team' as const, dimension]),
];

/** The cells `queryReworkCells` would give for one month's people. */
function cellsOf(month: string, people: readonly Person[]): ReworkCell[] {
  const field = { team: 1, tool: 2, taskType: 3, model: 4 } as const;
  return TABLES.flatMap((dimensions) => {
    const groups = new Map<string, Person[]>();
    for (const person of people) {
      const key = JSON.stringify(dimensions.map((dimension) => person[field[dimension]]));
      groups.set(key, [...(groups.get(key) ?? []), person]);
    }
    return [...groups.entries()].map(([key, members]): ReworkCell => {
      const values = JSON.parse(key) as string[];
      const coordinates: CellCoordinates = Object.fromEntries(dimensions.map((dimension, i) => [dimension, values[i]]));
      const outputs = members.reduce((sum, person) => sum + person[5], 0);
      const ids = [...new Set(members.map((person) => person[0]))];
      const row = { group: null, bucket: month, outputs, reworkedOutputs: Math.floor(outputs / 4), employees: ids.length, employeeIds: ids.length < K ? ids : undefined } as ReworkMetricsRow;
      return { period: month, coordinates, row };
    });
  });
}

describe('the protected tables of whole months (skills gaps)', () => {
  // Given a month where team "b" has 2 people doing reviews (a primary cell) and 6 doing coding, and team "a" 8 coders.
  const people: Person[] = [
    ...Array.from({ length: 8 }, (_, i): Person => [`a${i}`, 'a', 'copilot', 'coding', 'gpt', 10]),
    ...Array.from({ length: 6 }, (_, i): Person => [`b${i}`, 'b', 'copilot', 'coding', 'gpt', 10]),
    ['b6', 'b', 'copilot', 'review', 'gpt', 3],
    ['b7', 'b', 'copilot', 'review', 'gpt', 4],
  ];
  const cells = cellsOf('2026-03-01T00:00:00.000Z', people);
  const [month] = protectMonths(cells, K);
  const published = (coordinates: object) => month.protection.published.has(cellKey(coordinates));

  it('withholds the small cell and enough others that team b total minus its coding cell does not give it', () => {
    expect(published({ team: 'b', taskType: 'review' })).toBe(false);
    // Team b's total and its coding cell are not both published: their difference would be the two reviewers.
    expect(published({ team: 'b' }) && published({ team: 'b', taskType: 'coding' })).toBe(false);
    // Nor the organisation's review total alone (team a has no reviews: it would be team b's reviewers).
    expect(published({ taskType: 'review' })).toBe(false);
  });

  it('passes the audit: no withheld cell can be recovered exactly from the published ones', () => {
    const audited = auditProtection(
      month.cells.map(({ coordinates, row }) => ({ coordinates, employees: row.employees, employeeIds: row.employeeIds, contribution: row.outputs, value: row.outputs })),
      month.protection,
    );
    expect(audited.passed).toBe(true);
  });

  it('names each cell by its month and coordinates, and tells which are published', () => {
    const coding = month.cells.find((cell) => cell.coordinates.team === 'a' && cell.coordinates.taskType === 'coding');
    expect(coding).toBeDefined();
    expect(isPublished(month, coding as (typeof month.cells)[number])).toBe(true);
  });
});
