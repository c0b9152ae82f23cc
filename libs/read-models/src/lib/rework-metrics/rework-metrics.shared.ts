// SQL fragments and event fields shared by the rework projection's live path and its rebuild.
//
// Why the column types cannot overflow (issue 14): every number an event carries is bounded by the contract
// (libs/contracts/src/lib/limits.ts) — minutes ≤ 1440, money ≤ 1e9, minutes saved ≤ 525,600, and any non-integer is 0
// or ≥ 1e-6. A rework's cost, minutes / 60 × hourly cost, is then between 1.7e-14 and 2.4e10: a normal double, so
// double-precision products neither overflow nor underflow (PostgreSQL raises on both), and a sum of 2^63 of them is
// about 2e29, far inside double precision; the rollups sum in numeric (exact, unbounded). Counts are int4: they grow
// with the number of events, never with a value, and reach 2^31 only with 2.1 billion events on one output, or in one
// tenant's day of one rollup cell. Property-tested with the extremes the contract admits (extreme-values.int-spec.ts).

/** The assignment in effect for an employee at a time: latest effectiveFrom ≤ time, ties broken by store order. */
export function assignmentAt(schema: string, tenant: string, employee: string, time: string, columns = '*'): string {
  return `SELECT ${columns} FROM "${schema}".assignments a
           WHERE a.tenant = ${tenant} AND a.employee_id = ${employee} AND a.effective_from <= ${time}
           ORDER BY a.effective_from DESC, a.store_transaction DESC, a.store_position DESC LIMIT 1`;
}

export function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function optionalNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
