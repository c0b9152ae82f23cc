import type { ValidEvent } from '@rework-ledger/contracts';
import type { Kafka } from 'kafkajs';
import type { CloudEventJson } from './cloud-event-message';
import { createTelemetryProducer } from './telemetry-producer';

export type KafkaEventLogOptions = Readonly<{
  kafka: Kafka;
  topic: string;
  /** The tenant the topic is bound to (KAFKA_TENANT), if any. */
  boundTenant?: string;
  /** Retries before a publish rejects (default 5): an HTTP caller is waiting. */
  retries?: number;
}>;

/** The telemetry topic as the event log of HTTP ingestion: validated events go in, the ingestor stores them. */
export interface KafkaEventLog {
  readonly boundTenant?: string;
  connect(): Promise<void>;
  /** Produces the tenant's events in binary mode, keyed per entity; resolves once the broker has acknowledged them all. */
  publish(tenant: string, events: readonly ValidEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** Creates the Kafka {@link KafkaEventLog} (idempotent producer, acks=all). */
export function createKafkaEventLog(options: KafkaEventLogOptions): KafkaEventLog {
  const producer = createTelemetryProducer({ kafka: options.kafka, topic: options.topic, mode: 'binary', retries: options.retries ?? 5 });
  return {
    ...(options.boundTenant === undefined ? {} : { boundTenant: options.boundTenant }),
    connect: () => producer.connect(),
    publish: (tenant, events) => producer.send(events.map((event) => toCloudEventJson(tenant, event))),
    close: () => producer.disconnect(),
  };
}

/** A validated event back in CloudEvents form, with its tenant as the `tenant` extension. */
export function toCloudEventJson(tenant: string, event: ValidEvent): CloudEventJson {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    time: event.time.toISOString(),
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    tenant,
    datacontenttype: 'application/json',
    data: event.data,
  };
}
