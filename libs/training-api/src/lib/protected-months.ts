import { cellKey, type Protection, protectTables, type TableCell } from '@rework-ledger/domain';
import type { ReworkCell } from '@rework-ledger/read-models';

/**
 * The protected tables (PRODUCT.md "Privacy (v2)") of whole calendar months, as skills gaps reads them: per month the
 * cells of `queryReworkCells` (the one definition of the cells, shared with the rework metrics: organisation total,
 * team totals, the organisation's totals by tool / task type / model and the team × tool / task type / model
 * cross-tables), protected together by `protectTables` (primary and secondary suppression over the linked tables). A
 * non-admin answer over several months is a sum of the cells published in each month.
 */
export type ProtectedMonth = Readonly<{ month: string; cells: readonly ReworkCell[]; protection: Protection }>;

/**
 * Each month's cells protected for k. A cell's contribution (the order in which secondary cells are chosen) is its
 * outputs. Months are independent: they do not overlap, and no published figure spans two of them.
 */
export function protectMonths(cells: readonly ReworkCell[], k: number): ProtectedMonth[] {
  const byMonth = new Map<string, ReworkCell[]>();
  for (const cell of cells) {
    const month = byMonth.get(cell.period) ?? [];
    month.push(cell);
    byMonth.set(cell.period, month);
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
export function isPublished(month: ProtectedMonth, cell: ReworkCell): boolean {
  return month.protection.published.has(cellKey(cell.coordinates));
}
