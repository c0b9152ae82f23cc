/**
 * Privacy v2 (PRODUCT.md): tabular disclosure control of the linked tables of one aligned period.
 *
 * The tables are the organisation total, the team totals, the organisation's totals by tool / task type / model, and
 * the team × tool / team × task type / team × model cross-tables; each cross-table has the team totals and the
 * organisation's totals by its dimension as margins, and every one-way table has the organisation total as margin.
 * A cell is named by its coordinates (none for the total, one dimension for a one-way cell, team and one dimension
 * for a cross cell). Its additive figures obey the relations "margin = Σ cells of its line", which is all an attacker
 * who sees every published cell of the period can use: `protectTables` suppresses cells so that no suppressed cell is
 * a function of the published ones, `auditProtection` checks it independently by building, for each suppressed cell,
 * other tables that agree on every published cell and every relation but differ in that cell.
 *
 * Pure: the same cells and k always give the same answer (no state between queries, no randomness).
 */

export const PROTECTED_DIMENSIONS = ['team', 'tool', 'taskType', 'model'] as const;
export type ProtectedDimension = (typeof PROTECTED_DIMENSIONS)[number];
/** The cross-table dimensions (each crossed with team). */
export const CROSSED_DIMENSIONS = ['tool', 'taskType', 'model'] as const;
export type CrossedDimension = (typeof CROSSED_DIMENSIONS)[number];

/** A cell's coordinates: {} (total), {team}, {tool} / {taskType} / {model}, or {team, tool | taskType | model}. */
export type CellCoordinates = Readonly<Partial<Record<ProtectedDimension, string>>>;

export type TableCell = Readonly<{
  coordinates: CellCoordinates;
  /** Distinct employees the cell covers: exact below k, any number ≥ k otherwise ("at least"). */
  employees: number;
  /** Who they are, when fewer than k (lets a line's suppressed cells be counted as a union). */
  employeeIds?: readonly string[];
  /** The size used to choose secondary cells, smallest first (e.g. its outputs). */
  contribution: number;
}>;

export type Protection = Readonly<{
  /** Keys (`cellKey`) of the cells a non-admin caller may see. */
  published: ReadonlySet<string>;
  /** Keys of the withheld cells: primary ones and those withheld to protect them. */
  suppressed: ReadonlySet<string>;
  /** Keys of the cells withheld because they cover fewer than k employees. */
  primary: ReadonlySet<string>;
}>;

/** A relation of the linked tables: the figures of `total` are the sums of those of `parts`. */
export type TableRelation = Readonly<{ total: string; parts: readonly string[] }>;

/** The one key of a set of coordinates (dimension order fixed, values escaped): the name of a cell in a Protection. */
export function cellKey(coordinates: CellCoordinates): string {
  return PROTECTED_DIMENSIONS.filter((dimension) => coordinates[dimension] !== undefined)
    .map((dimension) => `${dimension}=${encodeURIComponent(coordinates[dimension] as string)}`)
    .join('&');
}

/** True when `coordinates` name a cell of the protected tables (see CellCoordinates). */
export function isProtectedCell(coordinates: CellCoordinates): boolean {
  const dimensions = PROTECTED_DIMENSIONS.filter((dimension) => coordinates[dimension] !== undefined);
  return dimensions.length <= 1 || (dimensions.length === 2 && dimensions[0] === 'team');
}

/**
 * The additive relations among the given cells: the organisation total is the sum of each one-way table; a team's
 * total and an organisation total by value are the sums of their cross-table lines. A missing cell holds nothing (no
 * output), so a relation over the cells present is exact.
 */
export function tableRelations(cells: readonly TableCell[]): TableRelation[] {
  // One line per margin and dimension its cells run over: {} over teams, {} over tools, {team=a} over tools, …
  const lines = new Map<string, { total: string; parts: string[] }>();
  const addTo = (total: CellCoordinates, over: ProtectedDimension, part: string) => {
    const totalKey = cellKey(total);
    const id = `${totalKey}|${over}`;
    let line = lines.get(id);
    if (line === undefined) lines.set(id, (line = { total: totalKey, parts: [] }));
    line.parts.push(part);
  };
  for (const cell of cells) {
    const key = cellKey(cell.coordinates);
    const dimensions = PROTECTED_DIMENSIONS.filter((dimension) => cell.coordinates[dimension] !== undefined);
    if (dimensions.length === 1) addTo({}, dimensions[0], key);
    if (dimensions.length === 2) {
      const [team, other] = dimensions;
      addTo({ [team]: cell.coordinates[team] }, other, key);
      addTo({ [other]: cell.coordinates[other] }, team, key);
    }
  }
  return [...lines.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([, line]) => ({ total: line.total, parts: [...new Set(line.parts)].sort(compareKeys) }));
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Primary suppression (a cell covering fewer than k employees), then secondary suppression to a fixed point over
 * every line of every linked table: a line (a margin and its cells) holding a suppressed cell holds at least two, and
 * its suppressed cells together cover at least k employees (their sum is always known: the margin minus the
 * published cells). Secondary cells are chosen smallest contribution first, cells before margins, ties by key. Lines
 * can still pin a cell down together (a suppressed cell whose relations form a bridge between two groups of
 * suppressed cells); the pattern is then checked by linear algebra, and a determined cell gets one more partner in
 * one of its lines, until none is determined.
 */
export function protectTables(cells: readonly TableCell[], k: number): Protection {
  const byKey = new Map<string, TableCell>();
  for (const cell of cells) {
    if (!isProtectedCell(cell.coordinates)) throw new Error(`not a cell of the protected tables: ${cellKey(cell.coordinates)}`);
    byKey.set(cellKey(cell.coordinates), cell);
  }
  const relations = tableRelations(cells);
  for (const relation of relations) {
    if (!byKey.has(relation.total)) throw new Error(`the margin ${relation.total || '(total)'} of ${relation.parts[0]} is missing`);
  }
  const primary = new Set([...byKey.entries()].filter(([, cell]) => cell.employees < k).map(([key]) => key));
  const suppressed = new Set(primary);
  const order = (key: string, isTotal: boolean) => [byKey.get(key)?.contribution ?? 0, isTotal ? 1 : 0] as const;
  const smallestUnsuppressed = (relation: TableRelation): string | undefined =>
    [...relation.parts.map((key) => [key, false] as const), [relation.total, true] as const]
      .filter(([key]) => !suppressed.has(key))
      .sort(([a, aTotal], [b, bTotal]) => {
        const [ca, ta] = order(a, aTotal);
        const [cb, tb] = order(b, bTotal);
        return ca - cb || ta - tb || compareKeys(a, b);
      })[0]?.[0];

  for (;;) {
    let changed = false;
    for (const relation of relations) {
      const members = [relation.total, ...relation.parts];
      const hidden = members.filter((key) => suppressed.has(key));
      if (hidden.length === 0) continue;
      if (hidden.length >= 2 && coversAtLeast(hidden.map((key) => byKey.get(key) as TableCell), k)) continue;
      const next = smallestUnsuppressed(relation);
      if (next !== undefined) {
        suppressed.add(next);
        changed = true;
      }
    }
    if (changed) continue;
    const determined = determinedCells(relations, suppressed);
    if (determined.length === 0) break;
    // One more partner for the first determined cell, in the nearest line (through withheld cells) that has a cell
    // left to give: its own lines first, then those of the withheld cells they share a line with, …
    const next = nearestPartner(determined[0], relations, suppressed, smallestUnsuppressed);
    if (next === undefined) break; // its whole part of the tables is withheld: nothing published can pin it
    suppressed.add(next);
  }
  const published = new Set([...byKey.keys()].filter((key) => !suppressed.has(key)));
  return { published, suppressed, primary };
}

/** Breadth-first from a withheld cell over the lines that join withheld cells, the first line's smallest published cell. */
function nearestPartner(
  start: string,
  relations: readonly TableRelation[],
  suppressed: ReadonlySet<string>,
  smallestUnsuppressed: (relation: TableRelation) => string | undefined,
): string | undefined {
  const seen = new Set([start]);
  for (let frontier = [start]; frontier.length > 0; ) {
    const next: string[] = [];
    for (const relation of relations) {
      const members = [relation.total, ...relation.parts];
      if (!members.some((key) => frontier.includes(key))) continue;
      const partner = smallestUnsuppressed(relation);
      if (partner !== undefined) return partner;
      for (const key of members) {
        if (suppressed.has(key) && !seen.has(key)) {
          seen.add(key);
          next.push(key);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** True when these cells together cover at least k distinct employees (a cell of k or more does on its own). */
function coversAtLeast(cells: readonly TableCell[], k: number): boolean {
  if (cells.some((cell) => cell.employees >= k)) return true;
  const ids = new Set<string>();
  for (const cell of cells) {
    if (cell.employeeIds === undefined) return Math.max(...cells.map((c) => c.employees)) >= k;
    for (const id of cell.employeeIds) ids.add(id);
  }
  return ids.size >= k;
}

const EPSILON = 1e-9;

/**
 * The relations restricted to the suppressed cells, reduced (RREF, partial pivoting): a suppressed cell is a function
 * of the published cells exactly when the unit vector of its column is in the row space, i.e. its pivot row has no
 * other non-zero entry. Also the null space, whose vectors are the ways the suppressed cells can move together while
 * every published cell and relation stays as it is.
 */
function reduce(relations: readonly TableRelation[], suppressed: ReadonlySet<string>): { columns: string[]; pivotRowOf: Map<number, number[]>; nullSpace: number[][] } {
  const columns = [...suppressed].sort(compareKeys);
  const index = new Map(columns.map((key, i) => [key, i]));
  const rows: number[][] = [];
  for (const relation of relations) {
    const row = new Array<number>(columns.length).fill(0);
    let any = false;
    const add = (key: string, coefficient: number) => {
      const i = index.get(key);
      if (i === undefined) return;
      row[i] += coefficient;
      any = true;
    };
    add(relation.total, 1);
    for (const part of relation.parts) add(part, -1);
    if (any) rows.push(row);
  }
  const pivotRowOf = new Map<number, number[]>();
  let rank = 0;
  for (let column = 0; column < columns.length && rank < rows.length; column++) {
    let best = rank;
    for (let r = rank + 1; r < rows.length; r++) if (Math.abs(rows[r][column]) > Math.abs(rows[best][column])) best = r;
    if (Math.abs(rows[best][column]) < EPSILON) continue;
    [rows[rank], rows[best]] = [rows[best], rows[rank]];
    const pivot = rows[rank][column];
    for (let c = 0; c < columns.length; c++) rows[rank][c] /= pivot;
    for (let r = 0; r < rows.length; r++) {
      if (r === rank || Math.abs(rows[r][column]) < EPSILON) continue;
      const factor = rows[r][column];
      for (let c = 0; c < columns.length; c++) rows[r][c] -= factor * rows[rank][c];
    }
    pivotRowOf.set(column, rows[rank]);
    rank++;
  }
  const free = columns.map((_, i) => i).filter((i) => !pivotRowOf.has(i));
  const nullSpace = free.map((f) => {
    const vector = new Array<number>(columns.length).fill(0);
    vector[f] = 1;
    for (const [column, row] of pivotRowOf) vector[column] = -row[f];
    return vector;
  });
  return { columns, pivotRowOf, nullSpace };
}

/** The suppressed cells that the published cells and the relations determine exactly (by key order). */
export function determinedCells(relations: readonly TableRelation[], suppressed: ReadonlySet<string>): string[] {
  const { columns, nullSpace } = reduce(relations, suppressed);
  return columns.filter((_, i) => nullSpace.every((vector) => Math.abs(vector[i]) < EPSILON));
}

export type AuditedCell = Readonly<{
  key: string;
  value: number;
  /**
   * A feasible interval of the cell's figure: values it can take in tables that agree with every published cell,
   * every relation and non-negativity (each end is witnessed by such a table, checked). The attacker's interval
   * contains it; a suppressed cell is protected when it is wider than zero.
   */
  low: number;
  high: number;
}>;

export type Audit = Readonly<{ passed: boolean; cells: AuditedCell[] }>;

/**
 * Audits a protection for one non-negative additive figure (`value` of each cell, e.g. outputs, which every cell holds
 * at least one of): for each suppressed cell, moves the suppressed cells along each null-space direction as far as
 * non-negativity allows, checks that the moved table still satisfies every relation and leaves every published cell
 * alone, and reports the range the cell swept. Passes when every suppressed cell's range is wider than zero.
 */
export function auditProtection(cells: readonly (TableCell & { value: number })[], protection: Protection): Audit {
  const value = new Map(cells.map((cell) => [cellKey(cell.coordinates), cell.value]));
  const relations = tableRelations(cells);
  const { columns, nullSpace } = reduce(relations, protection.suppressed);
  const audited = columns.map((key, i) => {
    const x = value.get(key) ?? 0;
    let low = x;
    let high = x;
    for (const direction of nullSpace) {
      if (Math.abs(direction[i]) < EPSILON) continue;
      for (const sign of [1, -1]) {
        // The largest step t with every suppressed cell still ≥ 0.
        let t = Number.POSITIVE_INFINITY;
        direction.forEach((d, j) => {
          const move = sign * d;
          if (move < -EPSILON) t = Math.min(t, (value.get(columns[j]) ?? 0) / -move);
        });
        if (!Number.isFinite(t)) t = 1; // unbounded that way: any step shows it
        if (t <= EPSILON) continue;
        const moved = new Map(value);
        direction.forEach((d, j) => moved.set(columns[j], (value.get(columns[j]) ?? 0) + sign * t * d));
        if (!satisfies(relations, moved)) throw new Error('audit: a null-space direction broke a relation');
        const y = moved.get(key) as number;
        low = Math.min(low, y);
        high = Math.max(high, y);
      }
    }
    return { key, value: x, low, high };
  });
  return { passed: audited.every((cell) => cell.high - cell.low > EPSILON), cells: audited };
}

function satisfies(relations: readonly TableRelation[], value: ReadonlyMap<string, number>): boolean {
  return relations.every((relation) => {
    const sum = relation.parts.reduce((total, part) => total + (value.get(part) ?? 0), 0);
    const total = value.get(relation.total) ?? 0;
    return Math.abs(total - sum) <= 1e-6 * Math.max(1, Math.abs(total)) && [...relation.parts, relation.total].every((key) => (value.get(key) ?? 0) >= -1e-9);
  });
}
