import { CompressionTypes, type Kafka, type Message, type Producer, Partitioners } from 'kafkajs';
import { type CloudEventJson, type EncodedMessage, encodeCloudEvent, type KafkaContentMode } from './cloud-event-message';

export type TelemetryProducerOptions = Readonly<{
  kafka: Kafka;
  /** The telemetry topic (config.kafka.telemetryTopic). */
  topic: string;
  /** Binary (default: `ce_*` headers, data as the value) or structured. */
  mode?: KafkaContentMode;
  /** Sets the `tenant` extension (ce_tenant) of events that do not name one. */
  tenant?: string;
  /** Most messages per produce request (default 1000). */
  maxRequestMessages?: number;
  /** Most bytes of keys, values and headers per produce request (default 512 KiB, well under the broker's 1 MiB batch limit). */
  maxRequestBytes?: number;
  /**
   * Retries of a failed request before `send` rejects (default: kafkajs's for an idempotent producer, unbounded). Bound
   * it where a caller waits (an HTTP request); a retry after a rejection may then store a duplicate in the topic, which
   * the ingestor counts once.
   */
  retries?: number;
}>;

/** Sends CloudEvents to the telemetry topic: idempotent producer, acks from all in-sync replicas, keyed per entity. */
export interface TelemetryProducer {
  connect(): Promise<void>;
  /** Sends the events in order; resolves once the broker has acknowledged every one of them. */
  send(events: readonly CloudEventJson[]): Promise<void>;
  /** Sends records already encoded (see encodeCloudEvent), in order. */
  sendEncoded(messages: readonly EncodedMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** Creates a {@link TelemetryProducer}; call `connect()` before sending. */
export function createTelemetryProducer(options: TelemetryProducerOptions): TelemetryProducer {
  const maxMessages = options.maxRequestMessages ?? 1000;
  const maxBytes = options.maxRequestBytes ?? 512 * 1024;
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioner: the same key lands on the same partition whichever client sends it.
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
  });

  async function sendEncoded(messages: readonly EncodedMessage[]): Promise<void> {
    let chunk: Message[] = [];
    let chunkBytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      await producer.send({ topic: options.topic, acks: -1, compression: CompressionTypes.None, messages: chunk });
      chunk = [];
      chunkBytes = 0;
    };
    for (const message of messages) {
      const size = messageSize(message);
      if (chunk.length >= maxMessages || (chunk.length > 0 && chunkBytes + size > maxBytes)) await flush();
      chunk.push({ key: message.key, value: message.value, headers: message.headers });
      chunkBytes += size;
    }
    await flush();
  }

  return {
    connect: () => producer.connect(),
    send: (events) => sendEncoded(events.map((event) => encodeCloudEvent(event, { mode: options.mode ?? 'binary', ...(options.tenant ? { tenant: options.tenant } : {}) }))),
    sendEncoded,
    disconnect: () => producer.disconnect(),
  };
}

function messageSize(message: EncodedMessage): number {
  let size = message.value.length + (message.key === null ? 0 : Buffer.byteLength(message.key));
  for (const [name, value] of Object.entries(message.headers)) size += name.length + Buffer.byteLength(value);
  return size;
}
