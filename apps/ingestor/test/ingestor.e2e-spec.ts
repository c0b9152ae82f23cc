import { createKafkaClient, createTelemetryProducer, encodeCloudEvent, ensureTopics } from '@rework-ledger/kafka-client';
import { ingestTopics } from '@rework-ledger/kafka-ingest';
import { kafkaTestBroker, kcatAvailable, kcatConsume, kcatProduce, uniqueTopics } from '@rework-ledger/kafka-testing';
import { APP_ENTRIES, type AppProcess, createTestDatabase, startApp, type TestDatabase } from '@rework-ledger/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const broker = kafkaTestBroker('ingestor end to end (apps/ingestor)');
const withKcat = broker !== undefined && kcatAvailable('ingestor end to end with kcat (apps/ingestor)');
// The SIGKILL test waits for the killed member's session to expire (30 s) before the group settles again.
jest.setTimeout(420_000);

const TENANT = 'acme';
const API_KEY = `e2e-${randomBytes(12).toString('hex')}`;
let sequence = 0;
const ce = (type: string, time: string, data: Record<string, unknown>, id = `e2e-${++sequence}`) => ({ specversion: '1.0', id, source: 'urn:e2e:kafka', type, time, data });

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000, describeLast?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${describeLast ? `\n${describeLast()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

(broker ? describe : describe.skip)('ingestor end to end: Kafka → ingestor process → event store → API process → GET /v1/metrics/rework', () => {
  const brokers = broker?.brokers ?? [];
  const topics = uniqueTopics('e2e');
  let database: TestDatabase;
  let db: Client;
  let api: AppProcess | undefined;
  const ingestors: AppProcess[] = [];
  let env: Record<string, string>;

  const totals = async (month: string) => {
    const [year, monthNumber] = month.split('-').map(Number);
    const to = new Date(Date.UTC(year, monthNumber, 1)).toISOString();
    const response = await fetch(`${(api as AppProcess).url}/v1/metrics/rework?from=${month}-01T00:00:00Z&to=${to}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    const body = (await response.json()) as { rows: Record<string, number>[] };
    return body.rows[0];
  };
  const storedWithPrefix = async (prefix: string) => Number((await db.query("SELECT count(*) FROM events WHERE tenant = $1 AND event_id LIKE $2 || '%'", [TENANT, prefix])).rows[0].count);
  const logs = () => [api, ...ingestors].map((app) => (app ? `--- ${app.name}\n${app.output().slice(-3000)}` : '')).join('\n');
  const startIngestor = async (name: string) => {
    const ingestor = await startApp(name, APP_ENTRIES.ingestor, env);
    ingestors.push(ingestor);
    return ingestor;
  };
  const health = async (app: AppProcess) => (await (await fetch(`${app.url}/health`)).json()) as { partitions: number[] };
  const scrape = async (app: AppProcess, metric: string) =>
    (await (await fetch(`${app.url}/metrics`)).text())
      .split('\n')
      .filter((line) => line.startsWith(metric))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
    // The test creates its topics itself, as the apps would: 6 partitions.
    const kafka = createKafkaClient({ brokers, clientId: 'rl-e2e-setup', ssl: false });
    await ensureTopics(kafka, ingestTopics({ ...topics, topicPartitions: 6, maxMessageBytes: 1_048_576 }));
    env = {
      DATABASE_URL: database.url,
      DEMO_DATA: 'false',
      API_BOOTSTRAP_KEY: API_KEY,
      API_BOOTSTRAP_TENANT: TENANT,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: `rl-e2e-${randomBytes(3).toString('hex')}`,
      KAFKA_TELEMETRY_TOPIC: topics.telemetryTopic,
      KAFKA_DEAD_LETTER_TOPIC: topics.deadLetterTopic,
      KAFKA_TOPIC_PARTITIONS: '6',
      LOG_LEVEL: 'log',
    };
    [api] = await Promise.all([startApp('api', APP_ENTRIES.api, env), startIngestor('ingestor-1')]);
  });

  afterAll(async () => {
    await Promise.all([api, ...ingestors].map((app) => app?.stop('SIGTERM')));
    await db?.end();
    await database?.drop();
    if (broker) {
      const admin = createKafkaClient({ brokers, clientId: 'rl-e2e-teardown', ssl: false }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topics.telemetryTopic, topics.deadLetterTopic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  (withKcat ? it : it.skip)('given CloudEvents produced by kcat in binary and in structured mode, then GET /v1/metrics/rework counts each exactly once', async () => {
    const march = (day: number) => `2026-03-${String(day).padStart(2, '0')}T10:00:00Z`;
    const binary = [
      ce('ai.output.generated', march(2), { outputId: 'm-1', employeeId: 'alice', tool: 'copilot', taskType: 'coding' }),
      ce('ai.output.generated', march(3), { outputId: 'm-2', employeeId: 'bob', tool: 'copilot', taskType: 'drafting' }),
      ce('ai.output.corrected', march(4), { outputId: 'm-1', employeeId: 'bob', minutesSpent: 10 }),
    ];
    for (const event of binary) {
      const { key, headers } = encodeCloudEvent({ ...event, tenant: TENANT }, { mode: 'binary' });
      kcatProduce({ brokers }, topics.telemetryTopic, { key: key as string, headers, lines: [JSON.stringify(event.data)] });
    }
    const structured = [
      ce('ai.output.generated', march(5), { outputId: 'm-3', employeeId: 'carol', tool: 'chatgpt', taskType: 'analysis' }),
      ce('ai.output.rewritten', march(6), { outputId: 'm-3', employeeId: 'carol', minutesSpent: 20 }),
      ce('ai.output.double_checked', march(6), { outputId: 'm-2', employeeId: 'bob', minutesSpent: 5 }),
      ce('ai.output.generated', march(7), { outputId: 'm-4', employeeId: 'dave', tool: 'chatgpt', taskType: 'coding' }),
    ];
    kcatProduce({ brokers }, topics.telemetryTopic, {
      keyed: true,
      headers: { 'content-type': 'application/cloudevents+json' },
      lines: structured.map((event) => `output-${event.data['outputId']}\t${JSON.stringify({ ...event, tenant: TENANT })}`),
    });

    const expected = { outputs: 4, reworkedOutputs: 2, corrections: 1, rewrites: 1, doubleChecks: 1, discards: 0, reworkMinutes: 35 };
    await eventually(async () => (await totals('2026-03'))?.outputs === 4 && (await totals('2026-03')).reworkMinutes === 35, 'the March metrics', 60_000, logs);
    expect(await totals('2026-03')).toMatchObject(expected);
    expect(kcatConsume({ brokers }, topics.deadLetterTopic)).toEqual([]);
  });

  it('given POST /v1/events with KAFKA_BROKERS set, then it answers `queued` once the broker has acknowledged, and a repeat is counted once downstream', async () => {
    const april = (day: number) => `2026-04-${String(day).padStart(2, '0')}T09:00:00Z`;
    const batch = [
      ce('ai.output.generated', april(1), { outputId: 'a-1', employeeId: 'alice', tool: 'copilot', taskType: 'coding' }),
      ce('ai.output.generated', april(2), { outputId: 'a-2', employeeId: 'bob', tool: 'copilot', taskType: 'coding' }),
      ce('ai.output.discarded', april(3), { outputId: 'a-1', employeeId: 'alice', minutesSpent: 7 }),
      ce('ai.output.liked', april(3), { outputId: 'a-1' }),
    ];
    const post = async (body: unknown) => {
      const response = await fetch(`${(api as AppProcess).url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': Array.isArray(body) ? 'application/cloudevents-batch+json' : 'application/cloudevents+json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    expect(await post(batch)).toEqual({
      status: 202,
      body: { queued: 3, rejected: [{ index: 3, id: batch[3].id, errors: [expect.objectContaining({ code: 'EVENT.UNKNOWN_TYPE', field: 'type' })] }] },
    });
    // A client retry: the same events again are queued again, and stored once.
    expect(await post(batch)).toMatchObject({ status: 202, body: { queued: 3 } });
    expect(await post(batch[3])).toMatchObject({ status: 400, body: { queued: 0, rejected: [{ index: 0 }] } });

    await eventually(async () => (await totals('2026-04'))?.discards === 1, 'the April metrics', 60_000, logs);
    await eventually(async () => (await scrape(ingestors[0], 'rework_ledger_kafka_events_duplicated_total')) >= 3, 'the ingestor to see the repeats');
    expect(await totals('2026-04')).toMatchObject({ outputs: 2, reworkedOutputs: 1, discards: 1, reworkMinutes: 7 });
    expect(Number((await db.query('SELECT count(*) FROM events WHERE event_id = ANY($1)', [batch.map((event) => event.id)])).rows[0].count)).toBe(3);
    expect(await scrape(api as AppProcess, 'rework_ledger_events_ingested_total{transport="http",outcome="queued"}')).toBe(6);
  });

  it('given the ingestor killed with SIGKILL in the middle of 50,000 events and two instances started in its place, then every event is counted exactly once', async () => {
    const outputs = 40_000;
    const events: ReturnType<typeof ce>[] = [];
    for (let index = 0; index < outputs; index++) {
      const time = new Date(Date.UTC(2026, 4, 1 + (index % 28), 8)).toISOString();
      events.push(ce('ai.output.generated', time, { outputId: `k-${index}`, employeeId: `emp-${index % 50}`, tool: 'copilot', taskType: 'coding' }, `kill-g-${index}`));
      if (index % 4 === 0) events.push(ce('ai.output.corrected', time, { outputId: `k-${index}`, employeeId: `emp-${index % 50}`, minutesSpent: 1 }, `kill-c-${index}`));
    }
    expect(events).toHaveLength(50_000);
    const kafka = createKafkaClient({ brokers, clientId: 'rl-e2e-producer', ssl: false });
    const producer = createTelemetryProducer({ kafka, topic: topics.telemetryTopic, tenant: TENANT });
    await producer.connect();
    // A steady stream (at most ~20,000 events/s) while the ingestor consumes it.
    const producing = (async () => {
      for (let start = 0; start < events.length; start += 1000) {
        await producer.send(events.slice(start, start + 1000));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const first = ingestors[0];
    await eventually(async () => (await storedWithPrefix('kill-')) >= 10_000, '10,000 events stored before the kill', 120_000, logs);
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    // A COMMIT the killed process sent just before it died may still complete: count once the number holds still.
    let storedAtKill = await storedWithPrefix('kill-');
    for (let settled = -1; settled !== storedAtKill; ) {
      settled = storedAtKill;
      await new Promise((resolve) => setTimeout(resolve, 500));
      storedAtKill = await storedWithPrefix('kill-');
    }
    await producing;
    await producer.disconnect();
    expect(storedAtKill).toBeLessThan(50_000);

    const [second, third] = await Promise.all([startIngestor('ingestor-2'), startIngestor('ingestor-3')]);
    await eventually(
      async () => {
        const [a, b] = await Promise.all([health(second), health(third)]);
        return a.partitions.length > 0 && b.partitions.length > 0 && [...a.partitions, ...b.partitions].sort().join() === '0,1,2,3,4,5';
      },
      'the six partitions split between the two new instances',
      120_000,
      logs,
    );
    await eventually(async () => (await storedWithPrefix('kill-')) === 50_000, 'all 50,000 events stored', 150_000, logs);
    await eventually(async () => (await totals('2026-05'))?.outputs === outputs && (await totals('2026-05')).corrections === 10_000, 'the May metrics', 120_000, logs);
    expect(await totals('2026-05')).toMatchObject({ outputs: 40_000, reworkedOutputs: 10_000, corrections: 10_000, reworkMinutes: 10_000 });
    const stored = (await scrape(second, 'rework_ledger_kafka_events_stored_total')) + (await scrape(third, 'rework_ledger_kafka_events_stored_total'));
    const duplicated = (await scrape(second, 'rework_ledger_kafka_events_duplicated_total')) + (await scrape(third, 'rework_ledger_kafka_events_duplicated_total'));
    expect(stored).toBe(50_000 - storedAtKill);
    console.log(`SIGKILL after ${storedAtKill} of 50,000 events; the new instances stored ${stored} and recognised ${duplicated} redelivered duplicates`);
    expect(await scrape(second, 'rework_ledger_kafka_consumer_lag')).toBeGreaterThanOrEqual(0);

    // SIGTERM: each finishes its batch, leaves the group and exits by the signal.
    for (const ingestor of [second, third]) {
      expect(await ingestor.stop('SIGTERM')).toBe('SIGTERM');
      expect(ingestor.output()).toContain('stopped consuming');
    }
  });
});
