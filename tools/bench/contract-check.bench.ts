// The contract check of stored events, per event (issue 13): what a projection runs on every event before applying
// it (validateStoredEventData), beside its two ways of checking the data classes' rules — class-validator, which
// defines them, and the Ajv validators compiled from the JSON Schemas (the fast path) — on the 'demo' organisation's
// events, their data as read back from jsonb; and the same for validateEvent, which ingest runs on every event sent.
//   npm run build:server && node -r ./tools/runtime-paths.js dist/tools/bench/contract-check.bench.js
// Options (environment): BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 5; the median and best are printed).
import 'reflect-metadata';
import {
  passesClassValidatorDataRules,
  passesClassValidatorEnvelopeRules,
  passesCompiledDataRules,
  passesCompiledEnvelopeRules,
  validateEvent,
  validateStoredEventData,
} from '@rework-ledger/contracts';
import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import type { EventType } from '@rework-ledger/domain';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

/** An event as sent (`raw`, JSON as an ingest endpoint parses it) and its data as read back from jsonb. */
type Stored = Readonly<{ type: EventType; data: Record<string, unknown>; raw: Record<string, unknown> }>;

function storedEvents(count: number): Stored[] {
  const organisation = generateOrganisation(preset('demo', { now: new Date('2026-06-01T00:00:00Z'), tenant: 'bench' }));
  const events: Stored[] = [];
  for (const event of organisation.iterateEvents()) {
    const raw = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
    events.push({ type: event.type, data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>, raw });
    if (events.length >= count) break;
  }
  return events;
}

/** Microseconds per event of `check` over all events, median and best of ROUNDS rounds (after one warm-up round). */
function measure(events: readonly Stored[], check: (event: Stored) => boolean): { median: number; best: number; passed: number } {
  let passed = 0;
  for (const event of events) if (check(event)) passed++;
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const startedAt = performance.now();
    for (const event of events) check(event);
    rounds.push(((performance.now() - startedAt) * 1000) / events.length);
  }
  rounds.sort((a, b) => a - b);
  return { median: rounds[Math.floor(rounds.length / 2)], best: rounds[0], passed };
}

function main(): void {
  const events = storedEvents(EVENTS);
  console.log(`Contract check — ${events.length} events of the demo organisation, ${ROUNDS} rounds, node ${process.version}`);
  const figures: [string, (event: Stored) => boolean][] = [
    ['validateStoredEventData (what a projection runs)', (event) => validateStoredEventData(event.type, event.data).length === 0],
    ['data rules by class-validator', (event) => passesClassValidatorDataRules(event.type, event.data)],
    ['data rules by the compiled validators (Ajv)', (event) => passesCompiledDataRules(event.type, event.data)],
    ['validateEvent (what HTTP and Kafka ingest run)', (event) => validateEvent(event.raw, { fromCredentials: 'bench' }).ok],
    ['envelope rules by class-validator', (event) => passesClassValidatorEnvelopeRules(event.raw)],
    ['envelope rules by the compiled validators (Ajv)', (event) => passesCompiledEnvelopeRules(event.raw)],
  ];
  console.log('\n| check | µs/event (median) | µs/event (best) | events passed |\n|---|---:|---:|---:|');
  for (const [name, check] of figures) {
    const { median, best, passed } = measure(events, check);
    console.log(`| ${name} | ${median.toFixed(2)} | ${best.toFixed(2)} | ${passed} |`);
  }
}

main();
