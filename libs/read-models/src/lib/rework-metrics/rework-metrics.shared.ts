// SQL fragments and event fields shared by the rework projection's live path and its rebuild.

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
