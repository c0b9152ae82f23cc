import {
  type Bucket,
  LedgerError,
  type CellCoordinates,
  cellKey,
  isProtectedCell,
  type Protection,
  protectTables,
  MAX_PRIVACY_PERIODS,
  periodsBetween,
  PRIVACY_PERIOD,
  type ProtectedDimension,
  type ReworkGroupBy,
  snapToPeriods,
} from '@rework-ledger/domain';
import type { SqlQueryable } from '../sql-queryable';
import { queryReworkCells, type ReworkCell, type ReworkMetricsFilters, type ReworkMetricsRow, sumReworkMetricsRows } from './rework-metrics.query';

export type ProtectedReworkQuery = Readonly<{
  tenant: string;
  from: Date;
  to: Date;
  groupBy?: Exclude<ReworkGroupBy, 'employee'>;
  bucket?: Bucket;
  filters?: Omit<ReworkMetricsFilters, 'employee'>;
  defaultHourlyCost: number;
  defaultMinutesSavedByTaskType: Readonly<Record<string, number>>;
  privacyMinGroupSize: number;
}>;

/** A non-admin span of more periods than are protected on request. */
export class PrivacySpanTooLongError extends LedgerError {
  constructor() {
    super('REQUEST.INVALID_PARAMETER', `without the admin scope, an answer covers at most ${MAX_PRIVACY_PERIODS} whole months`, 'from');
  }
}

/** Why `suppressed` carries no figures. */
export type WithheldReason =
  /** Its sum could not be had from published cells, or covers fewer than k people: showing it would show them. */
  | 'WITHHELD.SMALL_REMAINDER'
  /** The filters and grouping cross dimensions the protected tables do not (e.g. tool × model): nothing is answered. */
  | 'WITHHELD.NOT_IN_PROTECTED_TABLES';

export type ProtectedReworkAnswer = {
  /** The period the answer covers: [from, to) widened to whole periods. */
  from: Date;
  to: Date;
  /** Published cells, summed per group (and bucket). */
  rows: ReworkMetricsRow[];
  /** The withheld cells of the answer: how many, and their sum when it is safe to show (else null, and why). */
  suppressed: { cells: number; sum: ReworkMetricsRow | null; reason?: WithheldReason } | null;
  /** The rows (group, bucket) that some withheld cell would have added to: what an answer joined with another must withhold too. */
  withheldRows: { group: string | null; bucket: string | null }[];
};

/**
 * Rework metrics for a caller without `admin` (privacy v2): the cells of the protected tables of each whole period of
 * the answer, protected by `protectTables` (the same cells and k give the same pattern, whatever was asked), and the
 * answer summed from the published cells only.
 */
export async function queryProtectedReworkMetrics(db: SqlQueryable, query: ProtectedReworkQuery): Promise<ProtectedReworkAnswer> {
  const period = PRIVACY_PERIOD;
  const { from, to } = snapToPeriods(query.from, query.to, period);
  if (periodsBetween(from, to, period) > MAX_PRIVACY_PERIODS) throw new PrivacySpanTooLongError();
  const cellsOf = answerCells(query.groupBy, query.filters ?? {});
  if (cellsOf === null) return { from, to, rows: [], suppressed: { cells: 0, sum: null, reason: 'WITHHELD.NOT_IN_PROTECTED_TABLES' }, withheldRows: [] };
  const cells = await queryReworkCells(db, { ...query, from, to, period });
  return { from, to, ...composeProtectedAnswer(cells, query.privacyMinGroupSize, query.groupBy, query.bucket !== undefined, query.filters ?? {}) };
}

/**
 * The shape of an answer's cells: the coordinates every cell of it has (the filters), the dimension its rows run
 * over (the grouping, when not also a filter), and the line's margin. Null when those are not cells of the protected
 * tables.
 */
function answerCells(groupBy: ProtectedDimension | undefined, filters: Omit<ReworkMetricsFilters, 'employee'>): { fixed: CellCoordinates; over: ProtectedDimension | null } | null {
  const fixed: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) fixed[name] = value;
  const over = groupBy !== undefined && fixed[groupBy] === undefined ? groupBy : null;
  const widest = over === null ? fixed : { ...fixed, [over]: '·' };
  return isProtectedCell(widest) ? { fixed, over } : null;
}

/**
 * Pure: an answer from the cells of its periods. Each period's tables are protected on their own; the answer's rows
 * sum the published cells that match its filters (per group, per bucket when bucketed); the withheld ones are counted
 * into `suppressed`, whose sum is shown only when every period's part of it is what an attacker gets anyway (the
 * published margin of the answer's line minus its published cells) and it covers at least k people.
 */
export function composeProtectedAnswer(
  cells: readonly ReworkCell[],
  k: number,
  groupBy: ProtectedDimension | undefined,
  bucketed: boolean,
  filters: Omit<ReworkMetricsFilters, 'employee'>,
): Pick<ProtectedReworkAnswer, 'rows' | 'suppressed' | 'withheldRows'> {
  const shape = answerCells(groupBy, filters);
  if (shape === null) return { rows: [], suppressed: { cells: 0, sum: null, reason: 'WITHHELD.NOT_IN_PROTECTED_TABLES' }, withheldRows: [] };
  const byPeriod = new Map<string, ReworkCell[]>();
  for (const cell of cells) {
    const periodCells = byPeriod.get(cell.period);
    if (periodCells === undefined) byPeriod.set(cell.period, [cell]);
    else periodCells.push(cell);
  }

  const published = new Map<string, ReworkMetricsRow[]>();
  const withheld: ReworkCell[] = [];
  const withheldRows: ProtectedReworkAnswer['withheldRows'] = [];
  let remainderDerivable = true;
  for (const [period, periodCells] of [...byPeriod.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const protection: Protection = protectTables(
      periodCells.map((cell) => ({ coordinates: cell.coordinates, employees: cell.row.employees, employeeIds: cell.row.employeeIds, contribution: cell.row.outputs })),
      k,
    );
    let withheldHere = false;
    for (const cell of periodCells) {
      if (!matches(cell.coordinates, shape)) continue;
      const group = shape.over === null ? (groupBy ? (filters[groupBy as keyof typeof filters] ?? null) : null) : (cell.coordinates[shape.over] ?? null);
      if (protection.published.has(cellKey(cell.coordinates))) {
        const key = `${bucketed ? period : ''}\u0000${group ?? ''}`;
        const row = { ...cell.row, group, bucket: bucketed ? period : null };
        const rows = published.get(key);
        if (rows === undefined) published.set(key, [row]);
        else rows.push(row);
      } else {
        withheld.push(cell);
        withheldRows.push({ group, bucket: bucketed ? period : null });
        withheldHere = true;
      }
    }
    // A period's withheld part is (margin − published cells of the line): known anyway when the margin is published.
    if (withheldHere && (shape.over === null || !protection.published.has(cellKey(shape.fixed)))) remainderDerivable = false;
  }

  const rows = [...published.values()].map((parts) => ({ ...sumReworkMetricsRows(parts), group: parts[0].group, bucket: parts[0].bucket }));
  rows.sort((a, b) => compare(a.bucket, b.bucket) || compare(a.group, b.group));
  if (withheld.length === 0) return { rows, suppressed: null, withheldRows };
  const safe = remainderDerivable && coversAtLeast(withheld.map((cell) => cell.row), k);
  return {
    rows,
    withheldRows,
    suppressed: safe
      ? { cells: withheld.length, sum: sumReworkMetricsRows(withheld.map((cell) => cell.row)) }
      : { cells: withheld.length, sum: null, reason: 'WITHHELD.SMALL_REMAINDER' },
  };
}

/** True when a cell is one of the answer's: exactly the filters' coordinates, plus the grouping's when it runs over one. */
function matches(coordinates: CellCoordinates, shape: { fixed: CellCoordinates; over: ProtectedDimension | null }): boolean {
  const names = Object.keys(coordinates).filter((name) => coordinates[name as ProtectedDimension] !== undefined);
  const expected = Object.keys(shape.fixed).length + (shape.over === null ? 0 : 1);
  if (names.length !== expected) return false;
  if (shape.over !== null && coordinates[shape.over] === undefined) return false;
  return Object.entries(shape.fixed).every(([name, value]) => coordinates[name as ProtectedDimension] === value);
}

function coversAtLeast(rows: readonly ReworkMetricsRow[], k: number): boolean {
  if (rows.some((row) => row.employees >= k)) return true;
  return new Set(rows.flatMap((row) => row.employeeIds ?? [])).size >= k;
}

function compare(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
