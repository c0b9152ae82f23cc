// Test support (jest only): a generated organisation's events in the store orders that make the read side work hardest.
import { validateEvent } from '@rework-ledger/contracts';
import { generateOrganisation, type OrganisationOptions } from '@rework-ledger/demo-data';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { GivenEvent } from '@rework-ledger/projections/testing';

export type ShuffledOrganisation = Readonly<{
  tenant: string;
  /** In store order, with positions (`batch` events a store transaction). */
  events: StoredEvent[];
  /** The same events, as the projection spec harness takes them (its positions are the same store order). */
  given: GivenEvent[];
  start: Date;
  end: Date;
}>;

/**
 * A generated organisation's events in a shuffled store order (a deterministic shuffle: rework before its output,
 * assignments after the outputs they attribute), a quarter of its employees without an hourly cost (the tenant
 * default applies). Each event is checked against the contract, as ingestion does.
 */
export function shuffledOrganisation(options: OrganisationOptions, batch = 400): ShuffledOrganisation {
  const raw = generateOrganisation(options).allEvents();
  // A linear congruential generator: store order is not time order.
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = raw.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [raw[i], raw[j]] = [raw[j], raw[i]];
  }
  const events = raw.map((event, i): StoredEvent => {
    const result = validateEvent(event, { fromCredentials: options.tenant });
    if (!result.ok) throw new Error(`the generator made an invalid event: ${JSON.stringify(result.errors)}`);
    const { id, source, type, time, data } = result.event;
    const withoutCost = type === 'employee.assigned' && String(data['employeeId']).charCodeAt(String(data['employeeId']).length - 1) % 4 === 0;
    const { hourlyCost: _dropped, ...rest } = data as Record<string, unknown>;
    return {
      tenant: options.tenant,
      streamId: '-',
      streamVersion: 1n,
      position: { transactionId: BigInt(1 + Math.floor(i / batch)), globalPosition: BigInt(i + 1) },
      id,
      source,
      type,
      time,
      data: withoutCost ? rest : data,
      recordedAt: time,
    };
  });
  const given = events.map(({ tenant, id, source, type, time, data }): GivenEvent => ({ tenant, id, source, type, time, data }));
  return { tenant: options.tenant, events, given, start: options.start, end: options.end };
}
