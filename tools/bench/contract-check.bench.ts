// The contract check of stored events, per event (issue 13): what a projection runs on every event before applying
// it (validateStoredEventData), beside its two ways of checking the data classes' rules — class-validator, which
// defines them, and the Ajv validators compiled from the JSON Schemas (the fast path) — on the 'demo' organisation's
// events, their data as read back from jsonb; and the same for validateEvent, which ingest runs on every event sent.
// Then the same checks on usage events alone (issue 15), as the connectors make them: the demo's daily usage reports,
// Copilot user-day rows (usageEventOf) and OTLP cost and token metrics, cumulative and delta (mapMetrics).
//   npm run build:server && node -r ./tools/runtime-paths.js dist/tools/bench/contract-check.bench.js
// Options (environment): BENCH_EVENTS (default 100000), BENCH_USAGE_EVENTS (default 30000, a third from each source),
// BENCH_ROUNDS (default 5; the median and best are printed).
import 'reflect-metadata';
import {
  passesClassValidatorDataRules,
  passesClassValidatorEnvelopeRules,
  passesCompiledDataRules,
  passesCompiledEnvelopeRules,
  validateEvent,
  validateStoredEventData,
} from '@rework-ledger/contracts';
import { parseUsageRow, usageEventOf } from '@rework-ledger/copilot';
import { generateOrganisation, preset, withUsageReports } from '@rework-ledger/demo-data';
import type { EventType } from '@rework-ledger/domain';
import { decodeExportRequest, encodeExportRequest, mapMetrics } from '@rework-ledger/otlp';
import { loadavg } from 'node:os';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const USAGE_EVENTS = Number(process.env['BENCH_USAGE_EVENTS'] ?? 30_000);
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

/** An event as a connector sends it, and as ingest parses it again. */
function asStored(event: { type: EventType; data: unknown }): Stored {
  const raw = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  return { type: event.type, data: raw['data'] as Record<string, unknown>, raw };
}

/** The demo organisation's daily usage reports (one per employee, tool, model and day: counts, tokens, a cost). */
function demoUsageEvents(count: number): Stored[] {
  const organisation = generateOrganisation(preset('demo', { now: new Date('2026-06-01T00:00:00Z'), tenant: 'bench' }));
  const events: Stored[] = [];
  for (const event of withUsageReports(organisation.iterateEvents())) {
    if (event.type === 'ai.usage.recorded') events.push(asStored(event));
    if (events.length >= count) break;
  }
  return events;
}

/** Copilot user-day rows with the figures of the documented shape (as tools/bench/copilot.bench.ts writes them) → their events. */
function copilotUsageEvents(count: number): Stored[] {
  const events: Stored[] = [];
  for (let index = 0; index < count; index++) {
    const generated = 5 + (index % 40);
    const row = {
      day: new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(index / 2000) * 86_400_000).toISOString().slice(0, 10),
      user_login: `dev-${index % 2000}`,
      user_initiated_interaction_count: index % 9,
      code_generation_activity_count: generated,
      code_acceptance_activity_count: Math.floor(generated / 2),
      loc_suggested_to_add_sum: generated * 4,
      loc_added_sum: Math.floor(generated / 2) * 3,
      ai_credits_used: (index % 13) / 4,
    };
    const parsed = parseUsageRow(row);
    if (parsed.ok) events.push(asStored(usageEventOf(parsed.userDay, { scope: { kind: 'org', name: 'bench' }, importDay: '2026-12-06' })));
  }
  return events;
}

/**
 * OTLP metrics as Claude Code exports them (cumulative cost and input/output token counters: series, start and
 * cumulative: true) and a GenAI token histogram in delta temporality (cumulative: false), through protobuf as received.
 */
function otlpUsageEvents(count: number): Stored[] {
  const kv = (attributes: Record<string, string>) => Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } }));
  const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  const start = Date.parse('2026-03-02T09:00:00Z');
  const points = (attributes: (i: number) => Record<string, string>, value: (i: number) => Record<string, unknown>) =>
    Array.from({ length: Math.ceil(count / 4) }, (_, i) => ({
      attributes: kv({ 'user.email': `dev-${i % 200}@acme.test`, 'session.id': `s-${i % 50}`, ...attributes(i) }),
      startTimeUnixNano: nanos(start),
      timeUnixNano: nanos(start + (i + 1) * 60_000),
      ...value(i),
    }));
  const model = { model: 'claude-sonnet-4-5' };
  const counter = (dataPoints: unknown[]) => ({ aggregationTemporality: 2, isMonotonic: true, dataPoints });
  const metrics = [
    { name: 'claude_code.cost.usage', sum: counter(points(() => model, (i) => ({ asDouble: 0.01 * (i + 1) }))) },
    { name: 'claude_code.token.usage', sum: counter(points(() => ({ ...model, type: 'input' }), (i) => ({ asInt: 1200 * (i + 1) }))) },
    { name: 'claude_code.token.usage', sum: counter(points(() => ({ ...model, type: 'output' }), (i) => ({ asInt: 800 * (i + 1) }))) },
    {
      name: 'gen_ai.client.token.usage',
      histogram: { aggregationTemporality: 1, dataPoints: points((i) => ({ 'gen_ai.token.type': i % 2 === 0 ? 'input' : 'output', 'gen_ai.request.model': 'gpt-4o' }), (i) => ({ count: 1, sum: 100 + i })) },
    },
  ];
  const request = { resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'claude-code', 'team.id': 'payments' }) }, scopeMetrics: [{ metrics }] }] };
  const received = decodeExportRequest('metrics', encodeExportRequest('metrics', request), 'protobuf');
  return mapMetrics(received).events.slice(0, count).map(({ event }) => asStored(event));
}

/** The usage events of the three sources, interleaved as a mixed stream of ingest would carry them. */
function usageEvents(count: number): Stored[] {
  const sources = [demoUsageEvents(Math.ceil(count / 3)), copilotUsageEvents(Math.ceil(count / 3)), otlpUsageEvents(Math.ceil(count / 3))];
  const events: Stored[] = [];
  for (let i = 0; events.length < count && sources.some((source) => i < source.length); i++) {
    for (const source of sources) if (i < source.length && events.length < count) events.push(source[i]);
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

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

function printTable(events: readonly Stored[], figures: readonly [string, (event: Stored) => boolean][]): void {
  console.log('\n| check | µs/event (median) | µs/event (best) | events passed |\n|---|---:|---:|---:|');
  for (const [name, check] of figures) {
    const { median, best, passed } = measure(events, check);
    console.log(`| ${name} | ${median.toFixed(2)} | ${best.toFixed(2)} | ${passed} |`);
  }
}

function main(): void {
  const events = storedEvents(EVENTS);
  console.log(`Contract check — ${events.length} events of the demo organisation, ${ROUNDS} rounds, node ${process.version}, load average ${load()}`);
  const figures: [string, (event: Stored) => boolean][] = [
    ['validateStoredEventData (what a projection runs)', (event) => validateStoredEventData(event.type, event.data).length === 0],
    ['data rules by class-validator', (event) => passesClassValidatorDataRules(event.type, event.data)],
    ['data rules by the compiled validators (Ajv)', (event) => passesCompiledDataRules(event.type, event.data)],
    ['validateEvent (what HTTP and Kafka ingest run)', (event) => validateEvent(event.raw, { fromCredentials: 'bench' }).ok],
    ['envelope rules by class-validator', (event) => passesClassValidatorEnvelopeRules(event.raw)],
    ['envelope rules by the compiled validators (Ajv)', (event) => passesCompiledEnvelopeRules(event.raw)],
  ];
  printTable(events, figures);

  const usage = usageEvents(USAGE_EVENTS);
  const cumulative = usage.filter((event) => event.data['cumulative'] === true).length;
  console.log(`\nUsage events (ai.usage.recorded) — ${usage.length}: demo reports, Copilot rows, OTLP metrics (${cumulative} cumulative points); load average ${load()}`);
  printTable(usage, [
    ['validateEvent (what HTTP, Kafka, OTLP and Copilot ingest run)', (event) => validateEvent(event.raw, { fromCredentials: 'bench' }).ok],
    ['validateStoredEventData (what a projection runs)', (event) => validateStoredEventData(event.type, event.data).length === 0],
    ['data rules by class-validator', (event) => passesClassValidatorDataRules(event.type, event.data)],
    ['data rules by the compiled validators (Ajv)', (event) => passesCompiledDataRules(event.type, event.data)],
  ]);
  console.log(`\nload average at the end ${load()}`);
}

main();
