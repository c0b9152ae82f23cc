import type { Position } from '@rework-ledger/event-store';
import type { CheckpointRow, TenantCheckpointRow } from './checkpoint-store';
import type { LastParked, ParkedSummary } from './parked-events';

export type ProjectionStatus = Readonly<{
  name: string;
  version: number;
  /** running: this process holds the runner lock; standby: another process does; stopped: not started here. */
  state: 'running' | 'standby' | 'stopped';
  rebuilding: boolean;
  position: { transactionId: string; globalPosition: string };
  eventsApplied: number;
  eventsBehind: number;
  secondsBehind: number;
  updatedAt: string | null;
  rebuild: { requestedAt: string | null; startedAt: string | null; eventsApplied: number | null; lastRebuiltAt: string | null };
  /** The runner's last failure while it retries (an infrastructure fault: data faults park their event instead). */
  lastError: string | null;
  /** Events set aside, every tenant's; the last one parked, with its tenant; how many per tenant. */
  parked: number;
  lastParked: (LastParked & { tenant: string }) | null;
  parkedByTenant: Record<string, number>;
}>;

/**
 * One tenant's view of a projection: its own lag, re-projection and parked events, and nothing of other tenants
 * (no global volume, no other tenant's error text).
 */
export type TenantProjectionStatus = Readonly<{
  name: string;
  version: number;
  tenant: string;
  state: ProjectionStatus['state'];
  /** A full rebuild or a re-projection of this tenant is under way (its metrics stay served meanwhile). */
  rebuilding: boolean;
  /** This tenant's events stored but not yet applied, counted up to {@link TENANT_LAG_COUNT_LIMIT} (that number means "or more"). */
  eventsBehind: number;
  /** Age of this tenant's oldest event not yet applied; 0 when caught up. */
  secondsBehind: number;
  /** The runner is retrying after an infrastructure fault (no detail: it may concern the platform, not this tenant). */
  stalled: boolean;
  rebuild: { requestedAt: string | null; startedAt: string | null; eventsApplied: number | null; lastRebuiltAt: string | null };
  parked: number;
  lastParked: LastParked | null;
}>;

/** How far a tenant's lag is counted: reading its events is the only per-tenant count a store offers. */
export const TENANT_LAG_COUNT_LIMIT = 1000;

type Identity = Readonly<{ name: string; version: number; state: ProjectionStatus['state'] }>;
const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);
const secondsSince = (oldest: Date | undefined, now: Date) => (oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0);

/** Every tenant's parked events summed up: how many, the last one parked (with its tenant), how many per tenant. */
export function parkedOfEveryTenant(byTenant: ReadonlyMap<string, ParkedSummary>): Pick<ProjectionStatus, 'parked' | 'lastParked' | 'parkedByTenant'> {
  let lastParked: ProjectionStatus['lastParked'] = null;
  let parked = 0;
  for (const [tenant, summary] of byTenant) {
    parked += summary.count;
    if (summary.last && (lastParked === null || summary.last.parkedAt > lastParked.parkedAt)) lastParked = { tenant, ...summary.last };
  }
  return { parked, lastParked, parkedByTenant: Object.fromEntries([...byTenant].map(([tenant, summary]) => [tenant, summary.count])) };
}

/** The operators' status, from the checkpoint row (none before the runner first started), the store's lag and what is parked. */
export function projectionStatusOf(
  identity: Identity,
  row: CheckpointRow | undefined,
  position: Position,
  lag: Readonly<{ events: number; oldestRecordedAt?: Date }>,
  byTenant: ReadonlyMap<string, ParkedSummary>,
  now: Date,
): ProjectionStatus {
  return {
    name: identity.name,
    version: identity.version,
    state: identity.state,
    rebuilding: Boolean(row?.rebuildStartedAt) || Boolean(row?.tenantRebuilding),
    position: { transactionId: position.transactionId.toString(), globalPosition: position.globalPosition.toString() },
    eventsApplied: row?.eventsApplied ?? 0,
    eventsBehind: lag.events,
    secondsBehind: secondsSince(lag.oldestRecordedAt, now),
    updatedAt: iso(row?.updatedAt),
    rebuild: {
      requestedAt: iso(row?.rebuildRequestedAt),
      startedAt: iso(row?.rebuildStartedAt),
      eventsApplied: row?.rebuildEventsApplied ?? null,
      lastRebuiltAt: iso(row?.lastRebuiltAt),
    },
    lastError: row?.lastError ?? null,
    ...parkedOfEveryTenant(byTenant),
  };
}

/** One tenant's status: its lag from its own oldest event not applied (no position: it is store-wide, every tenant's volume). */
export function tenantStatusOf(
  identity: Identity,
  tenant: string,
  row: TenantCheckpointRow,
  behind: Readonly<{ count: number; oldestRecordedAt: Date | undefined }>,
  parked: ParkedSummary,
  now: Date,
): TenantProjectionStatus {
  return {
    name: identity.name,
    version: identity.version,
    tenant,
    state: identity.state,
    rebuilding: Boolean(row.rebuildStartedAt) || Boolean(row.startedAt),
    eventsBehind: behind.count,
    secondsBehind: secondsSince(behind.oldestRecordedAt, now),
    stalled: row.lastError != null,
    rebuild: {
      requestedAt: iso(row.requestedAt),
      startedAt: iso(row.startedAt),
      eventsApplied: row.eventsApplied,
      lastRebuiltAt: iso(row.lastRebuiltAt),
    },
    parked: parked.count,
    lastParked: parked.last,
  };
}
