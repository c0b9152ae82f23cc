import {
  passesClassValidatorDataRules,
  passesClassValidatorEnvelopeRules,
  passesCompiledDataRules,
  passesCompiledEnvelopeRules,
} from '@rework-ledger/contracts';
import { generateOrganisation, preset, withUsageReports } from '@rework-ledger/demo-data';
import { EVENT_TYPES, type EventType } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import { contractViolation } from './apply-or-park';

// The events a rebuild checks are the generator's (the bench's organisation, with its daily usage reports as the demo
// loader stores them): on each, the compiled contract check (the fast path of validateStoredEventData) and
// class-validator give the same verdict, and nothing is set aside.

const EVENTS = 20_000;

function storedEvents(): StoredEvent[] {
  const organisation = generateOrganisation(preset('demo', { now: new Date('2026-06-01T00:00:00Z'), tenant: 'parity' }));
  const events: StoredEvent[] = [];
  for (const event of withUsageReports(organisation.iterateEvents())) {
    const n = BigInt(events.length + 1);
    events.push({
      tenant: 'parity',
      streamId: `s-${n}`,
      streamVersion: 1n,
      position: { transactionId: n, globalPosition: n },
      id: event.id,
      source: event.source,
      type: event.type,
      time: new Date(event.time),
      // As read back from jsonb.
      data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>,
      recordedAt: new Date(event.time),
    });
    if (events.length >= EVENTS) break;
  }
  return events;
}

describe('the contract check of stored events on the synthetic organisation', () => {
  const events = storedEvents();

  it('given the generator’s events, then the compiled check and class-validator agree, and none is set aside', () => {
    const types = new Set<string>();
    for (const event of events) {
      const type = event.type as EventType;
      types.add(type);
      expect([type, passesCompiledDataRules(type, event.data)]).toEqual([type, passesClassValidatorDataRules(type, event.data)]);
      expect(passesCompiledDataRules(type, event.data)).toBe(true);
      expect(contractViolation(event)).toBeUndefined();
    }
    // Not vacuous: the corpus holds events of most types, usage reports among them.
    expect(types.size).toBeGreaterThanOrEqual(EVENT_TYPES.length - 2);
    expect(types).toContain('ai.usage.recorded');
  });

  it('given the generator’s events as sent (CloudEvents), then both checks of the envelope agree', () => {
    const organisation = generateOrganisation(preset('demo', { now: new Date('2026-06-01T00:00:00Z'), tenant: 'parity' }));
    let checked = 0;
    for (const event of organisation.iterateEvents()) {
      const raw = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
      expect(passesCompiledEnvelopeRules(raw)).toBe(passesClassValidatorEnvelopeRules(raw));
      expect(passesCompiledEnvelopeRules(raw)).toBe(true);
      if (++checked >= 2_000) break;
    }
  });

  it('given a generated event pushed past a bound, then it is set aside with class-validator’s code and message', () => {
    const rework = events.find((event) => event.type === 'ai.output.corrected');
    const output = events.find((event) => event.type === 'ai.output.generated');
    expect(contractViolation({ ...rework!, data: { ...rework!.data, minutesSpent: 1441 } })).toEqual({
      code: 'FIELD.OUT_OF_RANGE',
      message: 'data.minutesSpent must not be greater than 1440',
    });
    expect(contractViolation({ ...output!, data: { ...output!.data, inputTokens: 1.5 } })).toEqual({
      code: 'FIELD.NOT_AN_INTEGER',
      message: 'data.inputTokens must be an integer number',
    });
    expect(contractViolation({ ...rework!, data: { ...rework!.data, minutesSpent: 1e-7 } })).toEqual({
      code: 'FIELD.OUT_OF_RANGE',
      message: 'data.minutesSpent must be 0 or at least 0.000001',
    });
  });
});
