/** A row of a grouped answer with the employees it covers: their number, and their ids when fewer than k. */
export type CoveredRow = Readonly<{ employees: number; employeeIds?: readonly string[] }>;

export type Suppression<TRow> = Readonly<{
  /** Rows a non-admin caller may see. */
  visible: TRow[];
  /** Rows summed into the remainder (never shown one by one). */
  suppressed: TRow[];
  /** True when even the remainder covers fewer than k employees: its figures must be withheld too. */
  remainderTooSmall: boolean;
}>;

/**
 * The small-group rule of PRODUCT.md v1, applied to one answer alone (kept for the skills gaps until they are built
 * from the protected tables; the rework metrics use `protectTables`, privacy-tables.ts, which holds across answers): a row covering fewer than k distinct employees is suppressed; when the
 * suppressed rows together still cover fewer than k employees, the next-smallest row is suppressed too, so that
 * the remainder (shown as a sum, so totals reconcile) cannot be subtracted back to a small group.
 */
export function suppressSmallGroups<TRow extends CoveredRow>(rows: readonly TRow[], k: number): Suppression<TRow> {
  const suppressed = rows.filter((row) => row.employees < k);
  if (suppressed.length === 0) return { visible: [...rows], suppressed: [], remainderTooSmall: false };
  let remainderTooSmall = coversFewerThan(suppressed, k);
  if (remainderTooSmall) {
    const nextSmallest = rows.filter((row) => row.employees >= k).sort((a, b) => a.employees - b.employees)[0];
    if (nextSmallest) {
      // A row of k or more employees brings the remainder to k or more on its own.
      suppressed.push(nextSmallest);
      remainderTooSmall = false;
    }
  }
  const hidden = new Set(suppressed);
  return { visible: rows.filter((row) => !hidden.has(row)), suppressed, remainderTooSmall };
}

/** True when the rule has to suppress a row of k or more employees too (the next-smallest): the small rows exist and together cover fewer than k. */
export function needsComplementarySuppression(rows: readonly CoveredRow[], k: number): boolean {
  const small = rows.filter((row) => row.employees < k);
  return small.length > 0 && coversFewerThan(small, k);
}

function coversFewerThan(rows: readonly CoveredRow[], k: number): boolean {
  return new Set(rows.flatMap((row) => row.employeeIds ?? [])).size < k;
}
