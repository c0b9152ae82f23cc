/** A counter as the ingestor uses it (a prom-client Counter fits). */
export type CounterLike<Label extends string> = { inc(labels: Partial<Record<Label, string | number>>, value?: number): void };
/** A gauge as the ingestor uses it (a prom-client Gauge fits). */
export type GaugeLike<Label extends string> = {
  set(labels: Partial<Record<Label, string | number>>, value: number): void;
  remove(labels: Partial<Record<Label, string | number>>): void;
};

/** What the ingestor reports; the app supplies Prometheus metrics (libs/operations builds their names). */
export type KafkaIngestMetrics = Readonly<{
  /** Records read from the telemetry topic. */
  messagesConsumed: CounterLike<'topic'>;
  /** Events newly appended to the event store. */
  eventsStored: CounterLike<'topic'>;
  /** Events the store already held (a redelivery, a producer retry): acknowledged, not stored again. */
  eventsDuplicated: CounterLike<'topic'>;
  /** Records sent to the dead-letter topic, by error code. */
  messagesDeadLettered: CounterLike<'topic' | 'code'>;
  /** Retries of a batch step after a retriable failure (database or broker unavailable). */
  batchRetries: CounterLike<'topic' | 'step'>;
  /** Records of an assigned partition not yet committed by the group. */
  consumerLag: GaugeLike<'topic' | 'partition'>;
}>;
