// OTLP logs over HTTP (protobuf) → visible in the rework read model, beside POST /v1/events with the same events in the
// same run (issue 11's target: a ratio ≥ 0.8). Claude Code-shaped tool decisions (accepted edits → outputs) and rework
// log events (corrections of those outputs). Run:
//   npm run bench:otlp
// Options (environment): BENCH_OTLP_RECORDS (default 20000 log records), DATABASE_URL.
import 'reflect-metadata';
import { decodeExportRequest, encodeExportRequest, mapLogs } from '@rework-ledger/otlp';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createBenchDatabase } from './bench-database';

const RECORDS = Number(process.env['BENCH_OTLP_RECORDS'] ?? 20_000);
const RECORDS_PER_EXPORT = 500;
const CLIENTS = 4;
const START = Date.parse('2026-03-02T09:00:00Z');

const kv = (attributes: Record<string, string | number>) =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: value } : { stringValue: value } }));
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

/** One export's worth of log records: pairs of an accepted Claude Code edit and a correction of it. */
function exportRequest(first: number, count: number): Record<string, unknown> {
  const logRecords: Record<string, unknown>[] = [];
  for (let i = first; i < first + count; i += 2) {
    const person = { 'user.email': `dev-${i % 200}@acme.test`, 'session.id': `s-${i % 50}` };
    const time = START + i * 60_000;
    logRecords.push({
      timeUnixNano: nanos(time),
      eventName: 'claude_code.tool_decision',
      attributes: kv({ ...person, 'event.name': 'tool_decision', tool_name: 'Edit', decision: 'accept', source: 'user_temporary', tool_use_id: `toolu_${i}` }),
    });
    logRecords.push({
      timeUnixNano: nanos(time + 30_000),
      eventName: 'ai.output.corrected',
      attributes: kv({ ...person, 'ai.output.id': `toolu_${i}`, 'rework.minutes_spent': 5 + (i % 7), 'rework.reason': 'failing test' }),
    });
  }
  return { resourceLogs: [{ resource: { attributes: kv({ 'service.name': 'claude-code', 'team.id': `team-${first % 7}` }) }, scopeLogs: [{ logRecords }] }] };
}

const seconds = (startedAt: number) => (performance.now() - startedAt) / 1000;

/** Sends the bodies with CLIENTS concurrent clients. */
async function sendAll(bodies: readonly (string | Uint8Array)[], send: (body: string | Uint8Array) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) await send(bodies[next++]);
    }),
  );
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const app = await createApiApp(
      { databaseUrl: database.url, defaults: { currency: 'USD', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } },
      ['error'],
      { rateLimits: { ingestPerMinute: 0, queryPerMinute: 0 } },
    );
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const runners = app.get<ProjectionRunner[]>(PROJECTION_RUNNERS);
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    // The same records: as OTLP protobuf bodies, and as the CloudEvents the receiver maps them to (one batch per export).
    const requests = Array.from({ length: Math.ceil(RECORDS / RECORDS_PER_EXPORT) }, (_, i) => exportRequest(i * RECORDS_PER_EXPORT, Math.min(RECORDS_PER_EXPORT, RECORDS - i * RECORDS_PER_EXPORT)));
    const protobufBodies = requests.map((request) => encodeExportRequest('logs', request));
    const eventBatches = protobufBodies.map((body) => JSON.stringify(mapLogs(decodeExportRequest('logs', body, 'protobuf')).events.map(({ event }) => event)));
    const events = eventBatches.reduce((sum, batch) => sum + (JSON.parse(batch) as unknown[]).length, 0);
    console.log(`Rework Ledger OTLP bench — ${RECORDS} log records (${events} events), ${protobufBodies.length} exports of ${RECORDS_PER_EXPORT}, ${CLIENTS} clients, ${database.server}, node ${process.version}`);

    /** Events per second until the read models are up to date, each run into a tenant of its own. */
    const measure = async (path: 'otlp' | 'http', round: number): Promise<number> => {
      const { key } = await apiKeys.create(`bench-${path}-${round}`, ['ingest'], 'bench');
      const startedAt = performance.now();
      if (path === 'otlp') {
        await sendAll(protobufBodies, async (body) => {
          const response = await fetch(`${url}/otlp/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` }, body });
          if (response.status !== 200) throw new Error(`OTLP ${response.status}`);
          await response.arrayBuffer();
        });
      } else {
        await sendAll(eventBatches, async (body) => {
          const response = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
          if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
          await response.arrayBuffer();
        });
      }
      for (const runner of runners) await runner.waitUntilCaughtUp(600_000);
      return events / seconds(startedAt);
    };
    // Alternating rounds, so that neither path has the warm-up (JIT, connections, caches) to itself.
    const rounds: { otlp: number; http: number }[] = [];
    for (let round = 1; round <= 2; round++) {
      const http = await measure('http', round);
      const otlp = await measure('otlp', round);
      rounds.push({ otlp, http });
    }
    await app.close();

    console.log('');
    console.log('| round | OTLP/HTTP logs, protobuf (events/s) | POST /v1/events, the same events (events/s) | ratio (target ≥ 0.8) |');
    console.log('|---|---:|---:|---:|');
    rounds.forEach(({ otlp, http }, i) => console.log(`| ${i + 1} | ${Math.round(otlp).toLocaleString('en')} | ${Math.round(http).toLocaleString('en')} | ${(otlp / http).toFixed(2)} |`));
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
