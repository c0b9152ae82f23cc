import type { CheckpointRow, TenantCheckpointRow } from './checkpoint-store';
import { NOTHING_PARKED, type ParkedSummary } from './parked-events';
import { parkedOfEveryTenant, projectionStatusOf, tenantStatusOf } from './projection-status';

const now = new Date('2026-03-02T10:00:00Z');
const identity = { name: 'rework-metrics', version: 7, state: 'running' as const };
const parkedAt = (iso: string, code: string): ParkedSummary => ({ count: 1, last: { code, message: 'm', parkedAt: iso, source: 's', eventId: `e-${code}` } });
const row: CheckpointRow = {
  position: { transactionId: 12n, globalPosition: 40n },
  eventsApplied: 40,
  updatedAt: new Date('2026-03-02T09:59:00Z'),
  rebuildRequestedAt: null,
  rebuildStartedAt: null,
  rebuildEventsApplied: null,
  lastRebuiltAt: new Date('2026-03-01T00:00:00Z'),
  lastError: null,
  tenantRebuilding: false,
};

describe('projection status', () => {
  it('given parked events of several tenants, then their sum, the last one parked with its tenant, and a count per tenant', () => {
    const byTenant = new Map([
      ['alpha', { ...parkedAt('2026-03-02T08:00:00.000Z', 'A'), count: 2 }],
      ['beta', parkedAt('2026-03-02T09:00:00.000Z', 'B')],
    ]);
    expect(parkedOfEveryTenant(byTenant)).toEqual({
      parked: 3,
      lastParked: { tenant: 'beta', code: 'B', message: 'm', parkedAt: '2026-03-02T09:00:00.000Z', source: 's', eventId: 'e-B' },
      parkedByTenant: { alpha: 2, beta: 1 },
    });
    expect(parkedOfEveryTenant(new Map())).toEqual({ parked: 0, lastParked: null, parkedByTenant: {} });
  });

  it('given a checkpoint and the store\'s lag, then the position as text, the lag in events and seconds, and the dates as ISO text', () => {
    const status = projectionStatusOf(identity, row, row.position, { events: 5, oldestRecordedAt: new Date('2026-03-02T09:59:30Z') }, new Map(), now);
    expect(status).toEqual({
      ...identity,
      rebuilding: false,
      position: { transactionId: '12', globalPosition: '40' },
      eventsApplied: 40,
      eventsBehind: 5,
      secondsBehind: 30,
      updatedAt: '2026-03-02T09:59:00.000Z',
      rebuild: { requestedAt: null, startedAt: null, eventsApplied: null, lastRebuiltAt: '2026-03-01T00:00:00.000Z' },
      lastError: null,
      parked: 0,
      lastParked: null,
      parkedByTenant: {},
    });
  });

  it('given a rebuild or a tenant\'s re-projection under way, then rebuilding; given no row yet, then nothing applied', () => {
    const lag = { events: 0 };
    expect(projectionStatusOf(identity, { ...row, rebuildStartedAt: now }, row.position, lag, new Map(), now).rebuilding).toBe(true);
    expect(projectionStatusOf(identity, { ...row, tenantRebuilding: true }, row.position, lag, new Map(), now).rebuilding).toBe(true);
    const none = projectionStatusOf(identity, undefined, { transactionId: 0n, globalPosition: 0n }, lag, new Map(), now);
    expect(none).toMatchObject({ rebuilding: false, eventsApplied: 0, secondsBehind: 0, updatedAt: null, lastError: null });
  });

  it('given a clock behind the store\'s, then never a negative lag', () => {
    expect(projectionStatusOf(identity, row, row.position, { events: 1, oldestRecordedAt: new Date('2026-03-02T10:00:05Z') }, new Map(), now).secondsBehind).toBe(0);
  });

  it('given one tenant, then its own lag, re-projection and parked events, stalled without the error\'s text', () => {
    const tenantRow: TenantCheckpointRow = {
      position: row.position,
      rebuildStartedAt: null,
      lastError: 'connection refused',
      requestedAt: now,
      startedAt: null,
      eventsApplied: 3,
      lastRebuiltAt: null,
    };
    const status = tenantStatusOf(identity, 'beta', tenantRow, { count: 2, oldestRecordedAt: new Date('2026-03-02T09:58:00Z') }, NOTHING_PARKED, now);
    expect(status).toEqual({
      ...identity,
      tenant: 'beta',
      rebuilding: false,
      eventsBehind: 2,
      secondsBehind: 120,
      stalled: true,
      rebuild: { requestedAt: '2026-03-02T10:00:00.000Z', startedAt: null, eventsApplied: 3, lastRebuiltAt: null },
      parked: 0,
      lastParked: null,
    });
    expect(JSON.stringify(status)).not.toContain('connection refused');
    expect(tenantStatusOf(identity, 'beta', { ...tenantRow, startedAt: now }, { count: 0, oldestRecordedAt: undefined }, NOTHING_PARKED, now).rebuilding).toBe(true);
  });
});
