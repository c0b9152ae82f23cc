// npm run bench:kafka — Kafka → event store → read models up to date, on this machine, with every component a real
// process: the broker (npm run kafka:start), PostgreSQL, the ingestor (dist/apps/ingestor) and the API as the projector
// (dist/apps/api). Reported beside the raw COPY rate of the same rows into the same PostgreSQL in the same run.
//
// Environment: KAFKA_BROKERS (default 127.0.0.1:9092), DATABASE_URL (else an embedded PostgreSQL),
// BENCH_KAFKA_EVENTS (backlog, default 200000), BENCH_KAFKA_RATE (steady load, events/s, default 2500),
// BENCH_KAFKA_SECONDS (steady load duration, default 30), BENCH_KAFKA_INGESTOR_NODE_OPTIONS (node flags of the ingestor,
// default those of `npm run ingestor`: --max-old-space-size=192).
import 'reflect-metadata';
import { validateEvent, type ValidEvent } from '@rework-ledger/contracts';
import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { type CloudEventJson, createKafkaClient, createTelemetryProducer, ensureTopics } from '@rework-ledger/kafka-client';
import { ingestTopics } from '@rework-ledger/kafka-ingest';
import { uniqueTopics } from '@rework-ledger/kafka-testing';
import { createPool } from '@rework-ledger/platform';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { createBenchDatabase } from './bench-database';
import { type App, cpuSeconds, everyReadModelAtHead, sampleRss, startApp } from './child-apps';
import { measureRawCopy } from './raw-copy';

const ROOT = join(__dirname, '..', '..', '..');
const BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const EVENTS = Number(process.env['BENCH_KAFKA_EVENTS'] ?? 200_000);
const RATE = Number(process.env['BENCH_KAFKA_RATE'] ?? 2_500);
const STEADY_SECONDS = Number(process.env['BENCH_KAFKA_SECONDS'] ?? 30);
const TENANT = 'bench-kafka';
const PARTITIONS = 6;
const TICK_MS = 100;
const INGESTOR_NODE_OPTIONS = process.env['BENCH_KAFKA_INGESTOR_NODE_OPTIONS'] ?? '--max-old-space-size=192';

const seconds = (since: number) => (performance.now() - since) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const format = (value: number) => Math.round(value).toLocaleString('en');

/** Demo-organisation events (outputs, rework, assignments, training), as many as asked. */
function takeEvents(count: number): CloudEventJson[] {
  const events: CloudEventJson[] = [];
  for (const event of generateOrganisation(preset('bench', { tenant: TENANT })).iterateEvents()) {
    events.push(event as unknown as CloudEventJson);
    if (events.length >= count) break;
  }
  return events;
}


/** CPU used by each component between two moments: the ingestor, the API (projections), the broker, PostgreSQL. */
async function cpuSnapshot(pool: Pool, pids: Readonly<Record<string, number>>): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  const snapshot: Record<string, number> = { postgres: rows.reduce((sum, row) => sum + cpuSeconds(row.pid), 0) };
  for (const [name, pid] of Object.entries(pids)) snapshot[name] = cpuSeconds(pid);
  return snapshot;
}

const storedEvents = async (pool: Pool) => Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const pool = createPool(database.url, { max: 4 });
  const store = createPostgresEventStore({ pool });
  const topics = uniqueTopics('bench');
  const kafka = createKafkaClient({ brokers: BROKERS, clientId: 'rl-bench-kafka', ssl: false }, { logLevel: 'error', logger: { error: (m) => console.error(m), warn: () => undefined, log: () => undefined } });
  const apps: App[] = [];
  try {
    await migrateAll(pool);
    const all = takeEvents(EVENTS + RATE * STEADY_SECONDS * 1.2);
    const backlog = all.slice(0, EVENTS);
    const steady = all.slice(EVENTS);
    const valid: ValidEvent[] = backlog.map((event) => {
      const result = validateEvent({ ...event, tenant: TENANT }, { fromEvent: true });
      if (!result.ok) throw new Error(`bench event invalid: ${JSON.stringify(result.errors)}`);
      return result.event;
    });
    console.log(`Rework Ledger Kafka bench — ${backlog.length} events (bench organisation), ${database.server}, Kafka at ${BROKERS.join(',')}, node ${process.version}, ingestor ${INGESTOR_NODE_OPTIONS}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

    // 0. The floor (database side, and the earlier one): the same rows COPYed into a table of the event table's shape, same PostgreSQL.
    const copyRate = await measureRawCopy(pool, valid);

    // 1. The backlog, produced before the ingestor starts (keyed per entity, binary mode, acks=all).
    await ensureTopics(kafka, ingestTopics({ ...topics, topicPartitions: PARTITIONS, maxMessageBytes: 1_048_576 }));
    const producer = createTelemetryProducer({ kafka, topic: topics.telemetryTopic, tenant: TENANT });
    await producer.connect();
    let startedAt = performance.now();
    for (let start = 0; start < backlog.length; start += 5000) await producer.send(backlog.slice(start, start + 5000));
    const produceRate = backlog.length / seconds(startedAt);

    // 2. The API (projector) and the ingestor; from the moment the ingestor holds its partitions until every read
    //    model has applied every event.
    const env = {
      DATABASE_URL: database.url,
      DEMO_DATA: 'false',
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_CLIENT_ID: 'rl-bench',
      KAFKA_TELEMETRY_TOPIC: topics.telemetryTopic,
      KAFKA_DEAD_LETTER_TOPIC: topics.deadLetterTopic,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    };
    const { KAFKA_BROKERS: _brokers, ...apiEnv } = env;
    apps.push(await startApp('apps/api/src/main.js', { ...apiEnv, KAFKA_BROKERS: '', API_BOOTSTRAP_KEY: randomBytes(16).toString('hex') }));
    const ingestor = await startApp('apps/ingestor/src/main.js', { ...env, NODE_OPTIONS: INGESTOR_NODE_OPTIONS });
    apps.push(ingestor);
    const rss = sampleRss(ingestor.child.pid as number);
    const brokerPid = Number(readFileSync(join(ROOT, 'infra', 'kafka', '.cache', 'kafka.pid'), 'utf8').trim() || 0);
    const pids = { ingestor: ingestor.child.pid as number, 'API (projections)': apps[0].child.pid as number, broker: brokerPid };
    const cpuBefore = await cpuSnapshot(pool, pids);
    startedAt = performance.now();
    let storedAt = 0;
    for (;;) {
      if (storedAt === 0 && (await storedEvents(pool)) >= backlog.length) storedAt = seconds(startedAt);
      if (storedAt > 0 && (await everyReadModelAtHead(pool, store, READ_MODEL_PROJECTIONS))) break;
      await sleep(50);
    }
    const endToEndSeconds = seconds(startedAt);
    const cpuAfter = await cpuSnapshot(pool, pids);
    const backlogRss = rss.stop();

    // 3. Steady load: RATE events/s for STEADY_SECONDS; the first event of every tick is a probe whose latency is
    //    measured from just before it is produced until its output shows in the rework read model.
    const steadyRss = sampleRss(ingestor.child.pid as number);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
    let produced = 0;
    let probe = 0;
    let producing = true;
    const poller = (async () => {
      while (producing || sentAt.size > 0) {
        if (sentAt.size > 0) {
          const ids = [...sentAt.keys()];
          const { rows } = await pool.query<{ output_id: string }>('SELECT output_id FROM rm_rework.outputs WHERE tenant = $1 AND output_id = ANY($2)', [TENANT, ids]);
          const now = performance.now();
          for (const row of rows) {
            latencies.push(now - (sentAt.get(row.output_id) as number));
            sentAt.delete(row.output_id);
          }
        }
        await sleep(20);
      }
    })();
    startedAt = performance.now();
    const steadyStored = await storedEvents(pool);
    for (let tick = 0; seconds(startedAt) < STEADY_SECONDS; tick++) {
      const due = startedAt + tick * TICK_MS;
      if (performance.now() < due) await sleep(due - performance.now());
      const slice = steady.slice(produced, produced + perTick - 1);
      produced += slice.length;
      const outputId = `probe-${++probe}`;
      const probeEvent = { specversion: '1.0', id: outputId, source: 'urn:bench:probe', type: 'ai.output.generated', time: new Date().toISOString(), data: { outputId, employeeId: 'probe', tool: 'bench', taskType: 'other' } };
      sentAt.set(outputId, performance.now());
      await producer.send([probeEvent, ...slice]);
      produced += 1;
    }
    const steadySeconds = seconds(startedAt);
    const storedDuringLoad = (await storedEvents(pool)) - steadyStored;
    producing = false;
    const drainDeadline = Date.now() + 120_000;
    while (sentAt.size > 0 && Date.now() < drainDeadline) await sleep(50);
    await poller;
    const steadyMaxRss = steadyRss.stop();
    await producer.disconnect();
    latencies.sort((a, b) => a - b);

    console.log('');
    console.log('| measure | value |');
    console.log('|---|---:|');
    console.log(`| floor: COPY of the same rows, database side (events/s, same run) | ${format(copyRate.databaseSide)} |`);
    console.log(`| earlier floor: COPY formatted in JavaScript (events/s, same run) | ${format(copyRate.formattedInJavaScript)} |`);
    console.log(`| producing the backlog (kafkajs, idempotent, acks=all; events/s) | ${format(produceRate)} |`);
    console.log(`| Kafka → event store (events/s) | ${format(backlog.length / storedAt)} |`);
    console.log(`| **Kafka → event store → read models up to date (events/s)** | **${format(backlog.length / endToEndSeconds)}** |`);
    console.log(`| ratio to the floor (earlier floor) | ${(backlog.length / endToEndSeconds / copyRate.databaseSide).toFixed(2)} (${(backlog.length / endToEndSeconds / copyRate.formattedInJavaScript).toFixed(2)}) |`);
    console.log(`| ingestor resident memory, max (MB): backlog / steady load | ${format(backlogRss)} / ${format(steadyMaxRss)} |`);
    console.log(`| steady load: produced / stored meanwhile (events/s over ${Math.round(steadySeconds)} s) | ${format(produced / steadySeconds)} / ${format(storedDuringLoad / steadySeconds)} |`);
    console.log(`| end-to-end latency produce → read model, ${latencies.length} probes: p50 / p95 / p99 / max (ms) | ${format(percentile(latencies, 50))} / ${format(percentile(latencies, 95))} / ${format(percentile(latencies, 99))} / ${format(latencies[latencies.length - 1])} |`);
    console.log('');
    console.log(`CPU seconds per 10,000 events of the backlog (${cpus().length} cores, wall ${(endToEndSeconds * 10_000 / backlog.length).toFixed(2)} s):`);
    for (const name of Object.keys(cpuAfter)) console.log(`  ${name}: ${(((cpuAfter[name] - cpuBefore[name]) * 10_000) / backlog.length).toFixed(2)}`);
    if (sentAt.size > 0) console.log(`(${sentAt.size} probes never became visible within 120 s)`);
  } finally {
    for (const app of apps) app.child.kill('SIGTERM');
    await Promise.all(apps.map((app) => new Promise((resolve) => (app.child.exitCode !== null ? resolve(null) : app.child.once('exit', resolve)))));
    const admin = kafka.admin();
    await admin.connect().then(() => admin.deleteTopics({ topics: [topics.telemetryTopic, topics.deadLetterTopic] })).catch(() => undefined);
    await admin.disconnect();
    await store.close();
    await pool.end();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
