import { validateEvent, type TenantSource, type ValidEvent } from '@rework-ledger/contracts';
import type { ErrorShape } from '@rework-ledger/domain';
import type { EventStore } from '@rework-ledger/event-store';
import { storeValidEvents } from '@rework-ledger/ingestion/core';
import type { KafkaLogger } from '@rework-ledger/kafka-client';
import { type Admin, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, Partitioners, type Producer } from 'kafkajs';
import { type DeadLetter, toDeadLetterMessage } from './dead-letter';
import type { KafkaIngestMetrics } from './kafka-ingest.metrics';
import { decodeKafkaRecord } from './kafka-message.decoder';
import { isCausedByEventData } from './store-failures';

export type KafkaIngestorOptions = Readonly<{
  kafka: Kafka;
  store: EventStore;
  telemetryTopic: string;
  deadLetterTopic: string;
  /** The consumer group every instance joins (see kafkaNames.ingestorGroup). */
  groupId: string;
  /** Larger records are dead-lettered (KAFKA_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
  /** Only this tenant's events are accepted (KAFKA_TENANT); others are dead-lettered. */
  boundTenant?: string;
  metrics?: KafkaIngestMetrics;
  logger?: KafkaLogger;
  /** Partitions processed at the same time by this instance (default 3). */
  partitionsConsumedConcurrently?: number;
  /** Most events per append (one transaction per tenant), default 2000. */
  storeChunkSize?: number;
  /** Backoff between retries of a failed step, doubling from `initialMs` to `maxMs` (default 200 → 10000). */
  retryBackoff?: Readonly<{ initialMs: number; maxMs: number }>;
  /** Consumer group session timeout in ms (default 30000); heartbeats go out every tenth of it. */
  sessionTimeoutMs?: number;
  /** Told of every batch's newly stored events, after the append committed. */
  onStored?: (count: number) => void;
}>;

/** Consumes the telemetry topic into the event store; see {@link createKafkaIngestor}. */
export interface KafkaIngestor {
  /** Connects, joins the consumer group and starts consuming. */
  start(): Promise<void>;
  /** Lets the batch in progress finish (or gives it up uncommitted while it waits on a retry), leaves the group, disconnects. */
  stop(): Promise<void>;
  /** Updates the consumer-lag gauge of the partitions assigned to this instance from the broker's offsets. */
  refreshLag(): Promise<void>;
  /** The partitions of the telemetry topic this instance holds now. */
  assignedPartitions(): readonly number[];
}

type Accepted = { event: ValidEvent; message: KafkaMessage };

/** Thrown out of a retry loop when the step failed because of an event's data: isolate the event. */
class CausedByEventData extends Error {
  constructor(cause: unknown) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/**
 * The Kafka ingestor: reads CloudEvents from the telemetry topic with a consumer group, validates them with the
 * contract's validator, appends the valid ones to the event store in batches and sends the others to the
 * dead-letter topic with the reason. A partition's offset is committed only after its records are stored or
 * dead-lettered, so every event is delivered at least once and the idempotent store counts it once. A failing step
 * (database or broker unavailable) is retried in place, with backoff and heartbeats, never skipped.
 */
export function createKafkaIngestor(options: KafkaIngestorOptions): KafkaIngestor {
  const { kafka, store, telemetryTopic: topic, metrics } = options;
  const logger = options.logger ?? { error: () => undefined, warn: () => undefined, log: () => undefined };
  const tenantSource: TenantSource = options.boundTenant === undefined ? { fromEvent: true } : { fromEvent: true, boundTo: options.boundTenant };
  const chunkSize = options.storeChunkSize ?? 2000;
  const backoff = options.retryBackoff ?? { initialMs: 200, maxMs: 10_000 };
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;

  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let assigned: number[] = [];
  let relaunchTimer: ReturnType<typeof setTimeout> | undefined;

  async function handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const abandoned = () => !isRunning() || isStale();

    /** Runs a step until it succeeds; undefined when the batch was given up (stopping, or the partition moved). */
    async function retrying<T>(step: string, work: () => Promise<T>): Promise<T | undefined> {
      let delay = backoff.initialMs;
      for (;;) {
        if (abandoned()) return undefined;
        try {
          return await work();
        } catch (error) {
          if (step === 'store' && isCausedByEventData(error)) throw new CausedByEventData(error);
          metrics?.batchRetries.inc({ topic, step });
          logger.warn(`${step} failed for ${topic}[${batch.partition}] at offset ${batch.firstOffset()}; retrying in ${delay} ms: ${(error as Error).message ?? String(error)}`);
          const until = Date.now() + delay;
          while (Date.now() < until && !abandoned()) {
            await heartbeat();
            await sleep(Math.min(100, until - Date.now()));
          }
          delay = Math.min(delay * 2, backoff.maxMs);
        }
      }
    }

    /** Appends events; an append that fails because of an event's data is split until that event is found. */
    async function storeIsolating(entries: readonly Accepted[]): Promise<DeadLetter[] | undefined> {
      try {
        const result = await retrying('store', () => storeValidEvents(store, entries.map((entry) => entry.event)));
        if (result === undefined) return undefined;
        metrics?.eventsStored.inc({ topic }, result.stored);
        metrics?.eventsDuplicated.inc({ topic }, result.duplicates);
        if (result.stored > 0) options.onStored?.(result.stored);
        return [];
      } catch (error) {
        if (!(error instanceof CausedByEventData)) throw error;
        if (entries.length === 1) {
          return [deadLetter(entries[0].message, [{ code: 'EVENT.NOT_STORABLE', message: `the event store refused the event: ${error.message}` }])];
        }
        const middle = Math.ceil(entries.length / 2);
        const left = await storeIsolating(entries.slice(0, middle));
        if (left === undefined) return undefined;
        const right = await storeIsolating(entries.slice(middle));
        return right === undefined ? undefined : [...left, ...right];
      }
    }

    const deadLetter = (message: KafkaMessage, errors: readonly ErrorShape[]): DeadLetter => ({
      key: message.key,
      value: message.value,
      ...(message.headers ? { headers: message.headers } : {}),
      errors,
      source: { topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp },
    });

    if (batch.messages.length === 0) return;
    metrics?.messagesConsumed.inc({ topic }, batch.messages.length);
    const accepted: Accepted[] = [];
    const refused: DeadLetter[] = [];
    for (const message of batch.messages) {
      const decoded = decodeKafkaRecord(message, options.maxMessageBytes);
      if (!decoded.ok) {
        refused.push(deadLetter(message, [decoded.error]));
        continue;
      }
      const validation = validateEvent(decoded.event, tenantSource);
      if (validation.ok) accepted.push({ event: validation.event, message });
      else refused.push(deadLetter(message, validation.errors));
    }
    await heartbeat();

    for (let start = 0; start < accepted.length; start += chunkSize) {
      const unstorable = await storeIsolating(accepted.slice(start, start + chunkSize));
      if (unstorable === undefined) return;
      refused.push(...unstorable);
      await heartbeat();
    }
    if (refused.length > 0) {
      const sent = await retrying('dead-letter', () => sendDeadLetters(refused));
      if (sent === undefined) return;
      for (const letter of refused) metrics?.messagesDeadLettered.inc({ topic, code: letter.errors[0]?.code ?? 'UNKNOWN' });
    }

    // Everything up to the batch's last record is stored or dead-lettered: only now may the group move past it. A
    // stopping consumer still owns its partitions until it leaves the group, so its last batch is committed too.
    if (isStale()) return;
    const lastOffset = batch.lastOffset();
    payload.resolveOffset(lastOffset);
    const next = (BigInt(lastOffset) + 1n).toString();
    await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition: batch.partition, offset: next }] }] });
    metrics?.consumerLag.set({ topic, partition: batch.partition }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next))));
  }

  /** Sends dead letters; one too large for the dead-letter topic is sent without its value. */
  async function sendDeadLetters(letters: readonly DeadLetter[]): Promise<true> {
    const now = new Date();
    const send = (messages: ReturnType<typeof toDeadLetterMessage>[]) => (producer as Producer).send({ topic: options.deadLetterTopic, acks: -1, messages });
    try {
      await send(letters.map((letter) => toDeadLetterMessage(letter, now)));
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      for (const letter of letters) {
        try {
          await send([toDeadLetterMessage(letter, now)]);
        } catch (single) {
          if (!isTooLarge(single)) throw single;
          logger.warn(`dead letter of ${topic}[${letter.source.partition}]@${letter.source.offset} is too large for ${options.deadLetterTopic}: sent without its value`);
          await send([toDeadLetterMessage(letter, now, { dropValue: true })]);
        }
      }
    }
    return true;
  }

  /**
   * Creates, connects and runs a consumer of the group. kafkajs restarts a consumer that crashed on a retriable error
   * by itself, but gives up on some errors a broker restart causes (KafkaJSGroupCoordinatorNotFound when the broker
   * refuses connections while the group looks for its coordinator): such a consumer is replaced here, with backoff,
   * until it runs again or the ingestor stops. Nothing is lost meanwhile: offsets are committed only after storing.
   */
  async function launchConsumer(): Promise<void> {
    const launched = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: Math.max(60_000, sessionTimeout * 2),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      // Bounds what one fetch holds in memory (the resident-memory target is 300 MB under load).
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 6 * 1024 * 1024,
    });
    consumer = launched;
    launched.on(launched.events.GROUP_JOIN, ({ payload }) => {
      const previous = assigned;
      assigned = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      for (const partition of previous) if (!assigned.includes(partition)) metrics?.consumerLag.remove({ topic, partition });
      logger.log(`joined ${options.groupId} as ${payload.memberId}: partitions ${assigned.join(', ') || '(none)'} of ${topic}`);
    });
    launched.on(launched.events.CRASH, ({ payload }) => {
      const replacing = !payload.restart && consumer === launched;
      logger.error(`consumer crashed (${payload.restart ? 'kafkajs restarts it' : replacing ? 'replacing it' : 'not restarting'}): ${payload.error.message}`);
      if (replacing) relaunch(backoff.initialMs);
    });
    // stop() may come while this consumer connects: it then disconnects it, and this one must not run.
    const superseded = () => consumer !== launched;
    await launched.connect();
    if (superseded()) return;
    await launched.subscribe({ topics: [topic], fromBeginning: true });
    if (superseded()) return;
    await launched.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
      eachBatch: handleBatch,
    });
  }

  /** Replaces the crashed consumer after `delay` ms, and again with a doubled delay while the broker cannot be reached. */
  function relaunch(delay: number): void {
    const crashed = consumer;
    assigned = [];
    relaunchTimer = setTimeout(() => {
      relaunchTimer = undefined;
      if (consumer !== crashed || !producer) return; // stopped meanwhile
      void crashed
        ?.disconnect()
        .catch(() => undefined)
        .then(() => launchConsumer())
        .then(
          () => logger.log(`consumer of ${options.groupId} replaced after a crash`),
          (error: unknown) => {
            const next = Math.min(delay * 2, backoff.maxMs);
            logger.warn(`replacing the crashed consumer failed; retrying in ${next} ms: ${(error as Error)?.message ?? String(error)}`);
            if (consumer !== undefined && producer !== undefined) relaunch(next);
          },
        );
    }, delay);
  }

  return {
    async start() {
      if (consumer || producer) return;
      producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 5 } });
      admin = kafka.admin();
      await Promise.all([producer.connect(), admin.connect()]);
      await launchConsumer();
    },

    async stop() {
      const [stopping, producing, administering] = [consumer, producer, admin];
      consumer = producer = admin = undefined;
      if (relaunchTimer) clearTimeout(relaunchTimer);
      relaunchTimer = undefined;
      assigned = [];
      await stopping?.disconnect();
      await Promise.all([producing?.disconnect(), administering?.disconnect()]);
    },

    async refreshLag() {
      if (!admin || assigned.length === 0) return;
      const partitions = assigned;
      const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId: options.groupId, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
      const committedByPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
      for (const end of ends) {
        if (!partitions.includes(end.partition)) continue;
        const offset = committedByPartition.get(end.partition);
        const from = offset === undefined || BigInt(offset) < 0n ? BigInt(end.low) : BigInt(offset);
        metrics?.consumerLag.set({ topic, partition: end.partition }, Math.max(0, Number(BigInt(end.high) - from)));
      }
    },

    assignedPartitions: () => assigned,
  };
}

function isTooLarge(error: unknown): boolean {
  const type = (error as { type?: unknown })?.type;
  const cause = (error as { cause?: { type?: unknown } })?.cause?.type;
  return [type, cause].some((value) => value === 'MESSAGE_TOO_LARGE' || value === 'RECORD_LIST_TOO_LARGE');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
