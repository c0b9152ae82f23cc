// Test helper: a tenant's rows in every read model, to compare a re-projection or a rebuild with what live built.
import { validateEvent } from '@rework-ledger/contracts';
import { streamNameFor } from '@rework-ledger/domain';
import type { EventStore, NewEvent } from '@rework-ledger/event-store';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import type { Pool } from 'pg';

/** Every row of a tenant in every table of the read models, numbers rounded (a rebuild sums fractions in another order). */
export async function tenantRows(pool: Pool, tenant: string): Promise<Record<string, string[]>> {
  const rounded = (value: unknown): unknown =>
    typeof value === 'number' ? Math.round(value * 1e6) / 1e6 : Array.isArray(value) ? value.map(rounded) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) : value;
  const snapshot: Record<string, string[]> = {};
  for (const { schema } of READ_MODEL_PROJECTIONS) {
    const { rows: tables } = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'tenant' ORDER BY table_name`,
      [schema],
    );
    for (const { table_name: table } of tables) {
      const { rows } = await pool.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM "${schema}"."${table}" t WHERE tenant = $1`, [tenant]);
      snapshot[`${schema}.${table}`] = rows.map((r) => JSON.stringify(rounded(r.row))).sort();
    }
  }
  return snapshot;
}

/**
 * Per employee and month activity, packed as bytes: live packs the months a batch moved, a rebuild every month. The
 * same months are covered either way (compared as such: a packed month's minutes are summed in another order).
 */
export const LAZY_CACHE = ['rm_rework.employee_months'];
export const employeeMonthsCovered = (snapshot: Record<string, string[]>) =>
  [
    ...new Set(
      LAZY_CACHE.flatMap((table) => snapshot[table]).map((row) => {
        const { tenant, employee_id, month } = JSON.parse(row) as Record<string, string>;
        return `${tenant}/${employee_id}/${month}`;
      }),
    ),
  ].sort();


/**
 * Appends synthetic CloudEvents of one tenant as ingestion would (validated, one stream per entity), without the
 * ingestion library, which the projector's scope may not depend on. Returns the validation errors, if any.
 */
export async function appendValidated(store: EventStore, tenant: string, rawEvents: readonly unknown[]): Promise<unknown[]> {
  const rejected: unknown[] = [];
  const byStream = new Map<string, NewEvent[]>();
  for (const raw of rawEvents) {
    const result = validateEvent(raw, { fromCredentials: tenant });
    if (!result.ok) {
      rejected.push(result.errors);
      continue;
    }
    const { event } = result;
    const streamId = streamNameFor(event.type, event.data);
    byStream.set(streamId, [...(byStream.get(streamId) ?? []), { id: event.id, source: event.source, type: event.type, time: event.time, data: event.data }]);
  }
  await store.append(tenant, [...byStream].map(([streamId, events]) => ({ streamId, expectedVersion: 'any' as const, events })));
  return rejected;
}
