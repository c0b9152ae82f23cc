import type { TopicSpec } from '@rework-ledger/kafka-client';

/** The Kafka settings the ingestion topics are made from (the platform's `config.kafka`). */
export type IngestTopicsConfig = Readonly<{ telemetryTopic: string; deadLetterTopic: string; topicPartitions: number; maxMessageBytes: number }>;

/**
 * The telemetry topic and its dead-letter topic, as created when missing. The dead-letter topic accepts records
 * larger than the telemetry topic's (a refused record keeps its value and gains headers); a record still too large
 * is dead-lettered without its value.
 */
export function ingestTopics(config: IngestTopicsConfig): TopicSpec[] {
  const deadLetterMaxBytes = Math.max(2 * config.maxMessageBytes, 2 * 1024 * 1024) + 64 * 1024;
  return [
    { topic: config.telemetryTopic, partitions: config.topicPartitions },
    { topic: config.deadLetterTopic, partitions: config.topicPartitions, config: { 'max.message.bytes': String(deadLetterMaxBytes) } },
  ];
}
