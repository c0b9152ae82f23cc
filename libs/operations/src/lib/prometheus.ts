import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** The one place Prometheus metric names are built. */
export const METRIC_PREFIX = 'rework_ledger_';
export const metricName = (name: string) => `${METRIC_PREFIX}${name}`;

/** The process's Prometheus registry, with Node.js defaults and the platform's own metrics. */
export function createMetricsRegistry(): {
  registry: Registry;
  eventsIngested: Counter<'transport' | 'outcome'>;
  projectionEventsBehind: Gauge<'projection'>;
  projectionEventsParked: Counter<'projection' | 'code'>;
  projectionParkedEvents: Gauge<'projection'>;
  connectorRecords: Counter<'connector' | 'signal' | 'outcome' | 'reason'>;
} {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const eventsIngested = new Counter({
    name: metricName('events_ingested_total'),
    help: 'Events received for ingestion, by transport and outcome (stored, duplicate, rejected; queued: written to Kafka by HTTP).',
    labelNames: ['transport', 'outcome'] as const,
    registers: [registry],
  });
  const projectionEventsBehind = new Gauge({
    name: metricName('projection_events_behind'),
    help: 'Events stored but not yet applied by a projection.',
    labelNames: ['projection'] as const,
    registers: [registry],
  });
  // No tenant label: /metrics is platform-wide. A tenant's parked events are in its GET /v1/projections.
  const projectionEventsParked = new Counter({
    name: metricName('projection_events_parked_total'),
    help: 'Events a projection of this process set aside (could not apply), by projection and error code; a rebuild that parks an event again counts it again.',
    labelNames: ['projection', 'code'] as const,
    registers: [registry],
  });
  const projectionParkedEvents = new Gauge({
    name: metricName('projection_parked_events'),
    help: 'Events currently parked by a projection (whichever process runs it), platform-wide.',
    labelNames: ['projection'] as const,
    registers: [registry],
  });
  // No tenant label either: a tenant's counts are in its GET /v1/connectors.
  const connectorRecords = new Counter({
    name: metricName('connector_records_total'),
    help: 'Records a connector (otlp) received and did not store: ignored (not for Rework Ledger) or rejected (reported to the sender), by signal and reason.',
    labelNames: ['connector', 'signal', 'outcome', 'reason'] as const,
    registers: [registry],
  });
  return { registry, eventsIngested, projectionEventsBehind, projectionEventsParked, projectionParkedEvents, connectorRecords };
}

export type PlatformMetrics = ReturnType<typeof createMetricsRegistry>;
export const PLATFORM_METRICS = Symbol('PlatformMetrics');

/**
 * The Kafka ingestor's metrics, registered on the process's registry. Labelled by topic; the dead letters also by
 * error code, the retries by step (store, dead-letter), the lag by partition (this instance's partitions only).
 */
export function createKafkaMetrics(registry: Registry) {
  const counter = <Label extends string>(name: string, help: string, labelNames: readonly Label[]) =>
    new Counter<Label>({ name: metricName(name), help, labelNames, registers: [registry] });
  return {
    messagesConsumed: counter('kafka_messages_consumed_total', 'Records read from the telemetry topic.', ['topic']),
    eventsStored: counter('kafka_events_stored_total', 'Events from Kafka newly appended to the event store.', ['topic']),
    eventsDuplicated: counter('kafka_events_duplicated_total', 'Events from Kafka the store already held (redelivery, producer retry): counted once.', ['topic']),
    messagesDeadLettered: counter('kafka_messages_dead_lettered_total', 'Records sent to the dead-letter topic, by error code.', ['topic', 'code']),
    batchRetries: counter('kafka_batch_retries_total', 'Retries of a batch step after a retriable failure (database or broker unavailable).', ['topic', 'step']),
    consumerLag: new Gauge<'topic' | 'partition'>({
      name: metricName('kafka_consumer_lag'),
      help: 'Records of a partition assigned to this ingestor not yet committed by its consumer group.',
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
    }),
  };
}

export type KafkaMetrics = ReturnType<typeof createKafkaMetrics>;
