import { type CellCoordinates, cellKey, CROSSED_DIMENSIONS, type CrossedDimension, type Protection, protectTables, type TableCell } from '@rework-ledger/domain';
import type { ReworkMetricsRow } from '@rework-ledger/read-models';

/**
 * The protected tables (PRODUCT.md "Privacy (v2)") of whole calendar months, as skills gaps reads them: per month the
 * organisation total, the team totals, the organisation's totals by tool / task type / model and the team × tool /
 * task type / model cross-tables, protected together by `protectTables` (primary and secondary suppression over
 * the linked tables). A non-admin answer over several months is a sum of the cells published in each month.
 */

/** How each table of a month is read: `groupBy` then `thenBy` (coordinates in that order), bucketed by month. */
export const PROTECTED_TABLE_READS: readonly Readonly<{ groupBy?: 'team' | CrossedDimension; thenBy?: readonly [CrossedDimension] }>[] = [
  {},
  { groupBy: 'team' },
  ...CROSSED_DIMENSIONS.map((dimension) => ({ groupBy: dimension })),
  ...CROSSED_DIMENSIONS.map((dimension) => ({ groupBy: 'team' as const, thenBy: [dimension] as const })),
];

export type MonthCell = Readonly<{ month: string; coordinates: CellCoordinates; row: ReworkMetricsRow }>;

export type ProtectedMonth = Readonly<{ month: string; cells: readonly MonthCell[]; protection: Protection }>;

/** The cells of one read (rows of one of PROTECTED_TABLE_READS), each named by its month and coordinates. */
export function cellsOfRead(read: (typeof PROTECTED_TABLE_READS)[number], rows: readonly ReworkMetricsRow[]): MonthCell[] {
  return rows.map((row) => {
    const coordinates: Record<string, string> = {};
    if (read.groupBy) coordinates[read.groupBy] = String(row.group);
    if (read.thenBy) coordinates[read.thenBy[0]] = String((row.subgroups ?? [])[0]);
    return { month: String(row.bucket), coordinates, row };
  });
}

/**
 * Each month's cells protected for k. A cell's contribution (the order in which secondary cells are chosen) is its
 * outputs. Months are independent: they do not overlap, and no published figure spans two of them.
 */
export function protectMonths(cells: readonly MonthCell[], k: number): ProtectedMonth[] {
  const byMonth = new Map<string, MonthCell[]>();
  for (const cell of cells) {
    const month = byMonth.get(cell.month) ?? [];
    month.push(cell);
    byMonth.set(cell.month, month);
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([month, monthCells]) => {
      const tableCells: TableCell[] = monthCells.map(({ coordinates, row }) => ({
        coordinates,
        employees: row.employees,
        employeeIds: row.employeeIds,
        contribution: row.outputs,
      }));
      return { month, cells: monthCells, protection: protectTables(tableCells, k) };
    });
}

/** Whether a cell of a protected month may be shown to a non-admin caller. */
export function isPublished(month: ProtectedMonth, cell: MonthCell): boolean {
  return month.protection.published.has(cellKey(cell.coordinates));
}
