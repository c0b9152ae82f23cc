import type { Kafka } from 'kafkajs';

export type TopicSpec = Readonly<{
  topic: string;
  /** Partitions when the topic is created; an existing topic keeps its own. */
  partitions: number;
  /** Topic-level configuration when the topic is created (e.g. `max.message.bytes`). */
  config?: Readonly<Record<string, string>>;
}>;

/**
 * Creates the topics that do not exist yet (replication factor: the broker's default) and waits for their leaders.
 * Existing topics are left as they are. Safe when several processes start together. Answers the topics it created.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        ...(spec.config ? { configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })) } : {}),
      })),
    });
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}

/** The one place the platform's Kafka names that are not configured are built. */
export const kafkaNames = {
  /** The consumer group of the ingestors of a telemetry topic: every instance joins it and they share the partitions. */
  ingestorGroup: (clientId: string, telemetryTopic: string) => `${clientId}.ingestor.${telemetryTopic}`,
} as const;
