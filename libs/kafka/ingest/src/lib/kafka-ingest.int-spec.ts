import { createPostgresEventStore, type EventStore, migrateEventStore } from '@rework-ledger/event-store';
import { createKafkaClient, createTelemetryProducer, ensureTopics, type EncodedMessage, encodeCloudEvent, kafkaNames } from '@rework-ledger/kafka-client';
import { kafkaTestBroker, kcatAvailable, kcatConsume, type KcatRecord, kcatProduce, uniqueTopics } from '@rework-ledger/kafka-testing';
import { createPool } from '@rework-ledger/platform';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { DEAD_LETTER_HEADERS } from './dead-letter';
import { createKafkaIngestor, type KafkaIngestor, type KafkaIngestorOptions } from './kafka-ingest.consumer';
import type { CounterLike, GaugeLike, KafkaIngestMetrics } from './kafka-ingest.metrics';
import { ingestTopics } from './kafka-ingest.topics';

const broker = kafkaTestBroker('Kafka ingestion (libs/kafka/ingest)');
const withKcat = broker !== undefined && kcatAvailable('Kafka ingestion with kcat (libs/kafka/ingest)');
const MAX_MESSAGE_BYTES = 64 * 1024;
jest.setTimeout(60_000);

let sequence = 0;
// Each test writes as a tenant of its own, so that counts never mix across tests of the file.
let tenant = 'acme';
const ce = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: `kafka-${++sequence}`,
  source: 'urn:test:kafka',
  type,
  time: '2026-03-02T10:00:00Z',
  tenant,
  data,
  ...extra,
});
const generated = (outputId: string, extra: Record<string, unknown> = {}) => ce('ai.output.generated', { outputId, employeeId: 'alice', tool: 'copilot', taskType: 'coding' }, extra);
const corrected = (outputId: string, minutesSpent = 5) => ce('ai.output.corrected', { outputId, employeeId: 'bob', minutesSpent });
const binaryHeaders = (event: ReturnType<typeof ce>) => encodeCloudEvent(event, { mode: 'binary' }).headers;

/** Counters and gauges that remember what they were told, per label set. */
function recordingMetrics(): KafkaIngestMetrics & { total(name: keyof KafkaIngestMetrics, labels?: Record<string, string | number>): number } {
  const values = new Map<string, Map<string, number>>();
  const key = (labels: Record<string, unknown>) => JSON.stringify(Object.entries(labels).sort());
  const counter = (name: string): CounterLike<string> => ({
    inc(labels, value = 1) {
      const series = values.get(name) ?? new Map<string, number>();
      series.set(key(labels), (series.get(key(labels)) ?? 0) + value);
      values.set(name, series);
    },
  });
  const gauge = (name: string): GaugeLike<string> => ({
    set(labels, value) {
      const series = values.get(name) ?? new Map<string, number>();
      series.set(key(labels), value);
      values.set(name, series);
    },
    remove(labels) {
      values.get(name)?.delete(key(labels));
    },
  });
  return {
    messagesConsumed: counter('messagesConsumed'),
    eventsStored: counter('eventsStored'),
    eventsDuplicated: counter('eventsDuplicated'),
    messagesDeadLettered: counter('messagesDeadLettered'),
    batchRetries: counter('batchRetries'),
    consumerLag: gauge('consumerLag'),
    total(name, labels) {
      let sum = 0;
      for (const [series, value] of values.get(name) ?? []) {
        const parsed = Object.fromEntries(JSON.parse(series) as [string, unknown][]);
        if (Object.entries(labels ?? {}).every(([label, wanted]) => parsed[label] === wanted)) sum += value;
      }
      return sum;
    },
  };
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

(broker ? describe : describe.skip)('Kafka ingestion against a real broker (kafkajs consumer group → PostgreSQL event store)', () => {
  const brokers = broker?.brokers ?? [];
  let database: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let kafka: Kafka;
  const running: KafkaIngestor[] = [];
  const createdTopics: string[] = [];

  /** A telemetry topic and its dead-letter topic of this run only, created with the ingestor's own settings. */
  async function freshTopics(name: string, partitions = 3) {
    const topics = uniqueTopics(`ingest-${name}`);
    await ensureTopics(kafka, ingestTopics({ ...topics, topicPartitions: partitions, maxMessageBytes: MAX_MESSAGE_BYTES }));
    createdTopics.push(topics.telemetryTopic, topics.deadLetterTopic);
    return topics;
  }

  async function startIngestor(topics: { telemetryTopic: string; deadLetterTopic: string }, options: Partial<KafkaIngestorOptions> = {}) {
    const metrics = recordingMetrics();
    const ingestor = createKafkaIngestor({
      kafka,
      store,
      ...topics,
      groupId: kafkaNames.ingestorGroup('rl-test', topics.telemetryTopic),
      maxMessageBytes: MAX_MESSAGE_BYTES,
      metrics,
      sessionTimeoutMs: 10_000,
      retryBackoff: { initialMs: 50, maxMs: 400 },
      ...options,
    });
    running.push(ingestor);
    await ingestor.start();
    await eventually(async () => ingestor.assignedPartitions().length > 0, 'a partition assignment');
    return { ingestor, metrics };
  }

  async function stopIngestor(ingestor: KafkaIngestor) {
    running.splice(running.indexOf(ingestor), 1);
    await ingestor.stop();
  }

  async function produce(topic: string, messages: readonly EncodedMessage[]) {
    const producer = createTelemetryProducer({ kafka, topic });
    await producer.connect();
    try {
      await producer.sendEncoded(messages);
    } finally {
      await producer.disconnect();
    }
  }

  const storedCount = async (of = tenant) => Number((await pool.query('SELECT count(*) FROM events WHERE tenant = $1', [of])).rows[0].count);
  const storedIds = async () => (await pool.query<{ event_id: string }>('SELECT event_id FROM events WHERE tenant = $1', [tenant])).rows.map((r) => r.event_id).sort();
  /** Per partition (in partition order): the group's committed offset (-1: none) and the end of the partition. */
  const committedOffsets = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: kafkaNames.ingestorGroup('rl-test', topic), topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      const byPartition = <T extends { partition: number }>(items: T[]) => [...items].sort((x, y) => x.partition - y.partition);
      return { committed: byPartition(offsets.partitions).map((p) => Number(p.offset)), ends: byPartition(ends).map((p) => Number(p.high)) };
    } finally {
      await admin.disconnect();
    }
  };
  const allCommitted = async (topic: string) => {
    const { committed, ends } = await committedOffsets(topic);
    return committed.every((offset, index) => offset === ends[index] || (offset === -1 && ends[index] === 0)) || undefined;
  };
  const deadLetters = async (topic: string, count: number): Promise<KcatRecord[]> =>
    eventually(async () => {
      const records = kcatConsume({ brokers }, topic);
      return records.length >= count ? records : undefined;
    }, `${count} dead letters in ${topic}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 10 });
    await migrateEventStore(pool);
    store = createPostgresEventStore({ pool });
    // kafkajs errors that matter show up as failed expectations; the log would only be noise here.
    kafka = createKafkaClient({ brokers, clientId: 'rl-test-ingest', ssl: false }, { logger: { error: () => undefined, warn: () => undefined, log: () => undefined }, logLevel: 'error' });
  });

  let testNumber = 0;
  beforeEach(() => {
    tenant = `tenant-${++testNumber}-${process.pid}`;
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((ingestor) => ingestor.stop()));
  });

  afterAll(async () => {
    if (kafka && createdTopics.length > 0) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: createdTopics }).catch(() => undefined);
      await admin.disconnect();
    }
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  (withKcat ? it : it.skip)('given CloudEvents produced by kcat in binary and in structured mode, then each is stored once, as sent', async () => {
    const topics = await freshTopics('kcat');
    const binary = [generated('kc-1', { subject: 'report.docx' }), corrected('kc-1', 12), generated('kc-2')];
    for (const event of binary) {
      const { data, ...attributes } = event;
      kcatProduce({ brokers }, topics.telemetryTopic, { key: `output-${data.outputId}`, headers: binaryHeaders({ ...attributes, data } as never), lines: [JSON.stringify(data)] });
    }
    const structured = [generated('kc-3'), corrected('kc-3', 30), ce('employee.assigned', { employeeId: 'alice', teamId: 'platform', hourlyCost: 80 })];
    kcatProduce({ brokers }, topics.telemetryTopic, {
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      lines: structured.map((event) => JSON.stringify(event)),
    });
    const { metrics } = await startIngestor(topics);

    await eventually(async () => (await storedCount()) >= 6 || undefined, 'six stored events');
    expect(await storedIds()).toEqual([...binary, ...structured].map((event) => event.id).sort());
    const [first] = await store.readStream(tenant, 'output-kc-1');
    expect(first).toMatchObject({ id: binary[0].id, source: 'urn:test:kafka', type: 'ai.output.generated', subject: 'report.docx', time: new Date('2026-03-02T10:00:00Z'), data: binary[0].data });
    expect((await store.readStream(tenant, 'employee-alice'))[0].data).toEqual({ employeeId: 'alice', teamId: 'platform', hourlyCost: 80 });
    expect(metrics.total('eventsStored')).toBe(6);
    expect(metrics.total('messagesDeadLettered')).toBe(0);
    await eventually(() => allCommitted(topics.telemetryTopic), 'the committed offsets to reach the end of every partition');
  });

  (withKcat ? it : it.skip)(
    'given malformed JSON, missing attributes, an unknown type, an oversized and an unstorable record among valid ones, then those go to the dead-letter topic with the reason and every valid one is stored',
    async () => {
      const topics = await freshTopics('dlq', 1);
      const key = 'same-partition';
      const valid = [generated('dl-1'), generated('dl-2'), generated('dl-3'), corrected('dl-1')];
      const send = (event: Record<string, unknown>) => {
        const { data, ...attributes } = event;
        kcatProduce({ brokers }, topics.telemetryTopic, { key, headers: binaryHeaders({ ...attributes, data } as never), lines: [JSON.stringify(data)] });
      };
      const { time: _time, ...withoutTime } = generated('dl-missing-time');
      const oversized = generated('dl-big', {});
      (oversized.data as Record<string, unknown>)['notes'] = 'x'.repeat(MAX_MESSAGE_BYTES);
      const poison = corrected('dl-1');
      (poison.data as Record<string, unknown>)['reason'] = 'a NUL character \u0000 PostgreSQL cannot store';

      send(valid[0]);
      kcatProduce({ brokers }, topics.telemetryTopic, { key, headers: { 'content-type': 'application/cloudevents+json' }, lines: ['{"specversion":"1.0","id":"broken",'] });
      send(valid[1]);
      kcatProduce({ brokers }, topics.telemetryTopic, { key, headers: binaryHeaders(withoutTime as never), lines: [JSON.stringify(withoutTime.data)] });
      send(ce('ai.output.liked', { outputId: 'dl-1' }));
      send(oversized);
      send(valid[2]);
      send(poison);
      kcatProduce({ brokers }, topics.telemetryTopic, { key, lines: ['just some text'] });
      send(valid[3]);
      const { metrics } = await startIngestor(topics);

      const letters = await deadLetters(topics.deadLetterTopic, 6);
      expect(await storedIds()).toEqual(expect.arrayContaining(valid.map((event) => event.id)));
      expect(await store.readStream(tenant, 'output-dl-1')).toHaveLength(2);
      letters.sort((x, y) => Number(x.headers[DEAD_LETTER_HEADERS.sourceOffset]) - Number(y.headers[DEAD_LETTER_HEADERS.sourceOffset]));
      expect(letters.map((letter) => [Number(letter.headers[DEAD_LETTER_HEADERS.sourceOffset]), letter.headers[DEAD_LETTER_HEADERS.errorCode], letter.headers[DEAD_LETTER_HEADERS.errorField]])).toEqual([
        [1, 'MESSAGE.MALFORMED_JSON', undefined],
        [3, 'FIELD.REQUIRED', 'time'],
        [4, 'EVENT.UNKNOWN_TYPE', 'type'],
        [5, 'MESSAGE.TOO_LARGE', undefined],
        // Refused by the contract since issue 14 (it used to reach the store, which refused it).
        [7, 'FIELD.INVALID_CHARACTERS', 'data.reason'],
        [8, 'MESSAGE.NOT_A_CLOUDEVENT', undefined],
      ]);
      for (const letter of letters) {
        expect(letter.key).toBe(key);
        expect(letter.headers[DEAD_LETTER_HEADERS.sourceTopic]).toBe(topics.telemetryTopic);
        expect(letter.headers[DEAD_LETTER_HEADERS.sourcePartition]).toBe('0');
        expect(JSON.parse(letter.headers[DEAD_LETTER_HEADERS.errors])[0].code).toBe(letter.headers[DEAD_LETTER_HEADERS.errorCode]);
        expect(letter.headers[DEAD_LETTER_HEADERS.errorMessage].length).toBeGreaterThan(0);
      }
      // The original record travels as it was: value and headers.
      expect(letters[0].payload).toBe('{"specversion":"1.0","id":"broken",');
      expect(letters[0].headers['content-type']).toBe('application/cloudevents+json');
      expect(letters[1].headers['ce_id']).toBe(withoutTime.id);
      expect(letters[3].payload).toContain('x'.repeat(1000));
      expect(letters[4].headers[DEAD_LETTER_HEADERS.errorMessage]).toMatch(/control character/);
      expect(metrics.total('messagesDeadLettered')).toBe(6);
      expect(metrics.total('messagesDeadLettered', { code: 'MESSAGE.TOO_LARGE' })).toBe(1);
      await eventually(async () => (await committedOffsets(topics.telemetryTopic)).committed[0] === 10 || undefined, 'the committed offset to pass every record');
    },
  );

  (withKcat ? it : it.skip)('given an append that fails with an error that is no infrastructure failure (a RangeError), then the event causing it is dead-lettered with the reason and the partition goes on', async () => {
    const topics = await freshTopics('range-error', 1);
    // A store that cannot serialize one event (as JSON.stringify of a too-deep value would fail), and only that one.
    const refusing: EventStore = {
      ...store,
      append: (appendTenant, appends) =>
        appends.some((append) => append.events.some((event) => event.data['outputId'] === 're-poison'))
          ? Promise.reject(new RangeError('Maximum call stack size exceeded'))
          : store.append(appendTenant, appends),
    };
    const events = [generated('re-1'), generated('re-poison'), generated('re-2'), corrected('re-1')];
    await produce(topics.telemetryTopic, events.map((event) => ({ ...encodeCloudEvent(event, { mode: 'binary' }), key: 'one-partition' })));
    const { metrics } = await startIngestor(topics, { store: refusing });

    const [letter] = await deadLetters(topics.deadLetterTopic, 1);
    expect(letter.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('EVENT.NOT_STORABLE');
    expect(letter.headers[DEAD_LETTER_HEADERS.errorMessage]).toMatch(/Maximum call stack size exceeded/);
    expect(letter.headers['ce_id']).toBe(events[1].id);
    await eventually(async () => (await storedCount()) === 3 || undefined, 'the three other events stored');
    expect(await storedIds()).toEqual([events[0], events[2], events[3]].map((event) => event.id).sort());
    expect(metrics.total('batchRetries', { step: 'store' })).toBe(0);
    await eventually(() => allCommitted(topics.telemetryTopic), 'the committed offset to pass every record');
  });

  it('given the same record delivered twice (a producer retry) and the whole topic redelivered (a rebalance), then each event is stored once', async () => {
    const topics = await freshTopics('duplicates');
    const events = Array.from({ length: 50 }, (_, index) => generated(`dup-${index}`));
    const messages = events.map((event) => encodeCloudEvent(event, { mode: 'binary' }));
    // A producer retry: the same record (key, value, headers) twice; and one event again in structured mode.
    await produce(topics.telemetryTopic, [...messages, messages[7], encodeCloudEvent(events[9], { mode: 'structured' })]);
    const first = await startIngestor(topics);
    await eventually(async () => first.metrics.total('messagesConsumed') === 52 || undefined, '52 records consumed');
    await eventually(async () => first.metrics.total('eventsStored') + first.metrics.total('eventsDuplicated') === 52 || undefined, 'every record handled');
    expect(first.metrics.total('eventsStored')).toBe(50);
    expect(first.metrics.total('eventsDuplicated')).toBe(2);
    expect(await storedCount()).toBe(50);

    // A rebalance or a crash before the commit redelivers records: rewind the group and consume everything again.
    await stopIngestor(first.ingestor);
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: kafkaNames.ingestorGroup('rl-test', topics.telemetryTopic), topic: topics.telemetryTopic, earliest: true });
    await admin.disconnect();
    const second = await startIngestor(topics);
    await eventually(async () => second.metrics.total('eventsDuplicated') === 52 || undefined, 'the redelivered records to be recognised as duplicates');
    expect(second.metrics.total('eventsStored')).toBe(0);
    for (const event of events.slice(0, 3)) expect(await store.readStream(tenant, `output-${event.data.outputId}`)).toHaveLength(1);
  });

  it('given the database fails, then the batch is retried with backoff, nothing is committed meanwhile, and no event is lost or reordered', async () => {
    const topics = await freshTopics('retry', 2);
    let failing = true;
    const flaky: EventStore = {
      ...store,
      append: (tenant, appends) => (failing ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) : store.append(tenant, appends)),
    };
    const outputs = Array.from({ length: 40 }, (_, index) => `retry-${index}`);
    // Per output, in this order: generated, corrected, rewritten — one key, so one partition, in order.
    const events = outputs.flatMap((outputId) => [generated(outputId), corrected(outputId, 3), ce('ai.output.rewritten', { outputId, employeeId: 'bob', minutesSpent: 9 })]);
    await produce(topics.telemetryTopic, events.map((event) => encodeCloudEvent(event, { mode: 'binary' })));
    const { ingestor, metrics } = await startIngestor(topics, { store: flaky });

    await eventually(async () => metrics.total('batchRetries', { step: 'store' }) >= 3 || undefined, 'three retries of the store step');
    expect(await storedCount()).toBe(0);
    expect((await committedOffsets(topics.telemetryTopic)).committed.every((offset) => offset <= 0)).toBe(true);
    // The lag (read from the broker) shows the stall: nothing is committed.
    await ingestor.refreshLag();
    expect(metrics.total('consumerLag')).toBe(120);

    failing = false;
    await eventually(async () => metrics.total('eventsStored') === 120 || undefined, 'all 120 events stored once the database is back');
    for (const outputId of outputs) {
      expect((await store.readStream(tenant, `output-${outputId}`)).map((event) => event.type)).toEqual(['ai.output.generated', 'ai.output.corrected', 'ai.output.rewritten']);
    }
    await eventually(() => allCommitted(topics.telemetryTopic), 'the commits once the batch is stored');
    await ingestor.refreshLag();
    expect(metrics.total('consumerLag')).toBe(0);
  });

  it('given a topic bound to one tenant, then another tenant’s events are dead-lettered and the bound tenant’s stored', async () => {
    const topics = await freshTopics('bound', 1);
    const ours = generated('bound-1', { tenant: 'bound-co' });
    const theirs = generated('bound-2', { tenant: `intruder-${sequence}` });
    await produce(topics.telemetryTopic, [ours, theirs].map((event) => encodeCloudEvent(event, { mode: 'binary' })));
    const { metrics } = await startIngestor(topics, { boundTenant: 'bound-co' });
    await eventually(async () => metrics.total('messagesDeadLettered', { code: 'EVENT.TENANT_MISMATCH' }) === 1 || undefined, 'the intruder dead-lettered');
    await eventually(async () => (await storedCount('bound-co')) === 1 || undefined, 'the bound tenant stored');
    expect(await storedCount(theirs.tenant)).toBe(0);
  });

  it('given two ingestors in one consumer group, then they share the partitions and together store every event once', async () => {
    const topics = await freshTopics('group', 4);
    const a = await startIngestor(topics, { partitionsConsumedConcurrently: 2 });
    const b = await startIngestor(topics, { partitionsConsumedConcurrently: 2 });
    await eventually(
      async () => (a.ingestor.assignedPartitions().length > 0 && b.ingestor.assignedPartitions().length > 0 && a.ingestor.assignedPartitions().length + b.ingestor.assignedPartitions().length === 4) || undefined,
      'the four partitions split between the two instances',
    );
    expect([...a.ingestor.assignedPartitions(), ...b.ingestor.assignedPartitions()].sort()).toEqual([0, 1, 2, 3]);
    const events = Array.from({ length: 2000 }, (_, index) => (index % 4 === 3 ? corrected(`group-${index - 1}`) : generated(`group-${index}`)));
    await produce(topics.telemetryTopic, events.map((event) => encodeCloudEvent(event, { mode: 'binary' })));

    await eventually(async () => (await storedCount()) === 2000 || undefined, 'the 2000 events stored');
    await eventually(async () => a.metrics.total('eventsStored') + b.metrics.total('eventsStored') === 2000 || undefined, 'both instances to report');
    expect(a.metrics.total('eventsStored')).toBeGreaterThan(0);
    expect(b.metrics.total('eventsStored')).toBeGreaterThan(0);
    expect(a.metrics.total('messagesConsumed') + b.metrics.total('messagesConsumed')).toBe(2000);
  });
});
