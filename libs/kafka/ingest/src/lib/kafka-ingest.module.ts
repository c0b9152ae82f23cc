import { type BeforeApplicationShutdown, type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { createKafkaClient, ensureTopics, type KafkaConnection, kafkaNames } from '@rework-ledger/kafka-client';
import type { Kafka } from 'kafkajs';
import { createKafkaIngestor, type KafkaIngestor } from './kafka-ingest.consumer';
import type { KafkaIngestMetrics } from './kafka-ingest.metrics';
import { type IngestTopicsConfig, ingestTopics } from './kafka-ingest.topics';

export type KafkaIngestModuleOptions = Readonly<{
  /** The platform's `config.kafka`. */
  kafka: KafkaConnection & IngestTopicsConfig & Readonly<{ tenant?: string }>;
  metrics?: KafkaIngestMetrics;
  partitionsConsumedConcurrently?: number;
}>;

export const KAFKA_INGESTOR = Symbol('KafkaIngestor');
const KAFKA_CLIENT = Symbol('KafkaIngestClient');
const KAFKA_INGEST_OPTIONS = Symbol('KafkaIngestModuleOptions');

/**
 * Runs a {@link KafkaIngestor} in a Nest app: creates the topics when missing and starts consuming once the app
 * has started; stops consuming (the batch in progress finishes) before the app closes its database pool.
 * Needs EVENT_STORE from the app (RuntimeModule).
 */
@Module({})
export class KafkaIngestModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('kafka-ingest');

  constructor(
    @Inject(KAFKA_INGESTOR) private readonly ingestor: KafkaIngestor,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_INGEST_OPTIONS) private readonly options: KafkaIngestModuleOptions,
  ) {}

  static forRoot(options: KafkaIngestModuleOptions): DynamicModule {
    const { kafka: config } = options;
    return {
      module: KafkaIngestModule,
      providers: [
        { provide: KAFKA_INGEST_OPTIONS, useValue: options },
        { provide: KAFKA_CLIENT, useFactory: () => createKafkaClient(config, { logger: new Logger('kafkajs'), logLevel: 'warn' }) },
        {
          provide: KAFKA_INGESTOR,
          inject: [EVENT_STORE, KAFKA_CLIENT],
          useFactory: (store: EventStore, kafka: Kafka) =>
            createKafkaIngestor({
              kafka,
              store,
              telemetryTopic: config.telemetryTopic,
              deadLetterTopic: config.deadLetterTopic,
              groupId: kafkaNames.ingestorGroup(config.clientId, config.telemetryTopic),
              maxMessageBytes: config.maxMessageBytes,
              ...(config.tenant === undefined ? {} : { boundTenant: config.tenant }),
              ...(options.metrics ? { metrics: options.metrics } : {}),
              ...(options.partitionsConsumedConcurrently ? { partitionsConsumedConcurrently: options.partitionsConsumedConcurrently } : {}),
              logger: new Logger('kafka-ingest'),
            }),
        },
      ],
      exports: [KAFKA_INGESTOR],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const { kafka: config } = this.options;
    const created = await ensureTopics(this.kafka, ingestTopics(config));
    if (created.length > 0) this.logger.log(`created topics ${created.join(', ')} (${config.topicPartitions} partitions)`);
    await this.ingestor.start();
    this.logger.log(`consuming ${config.telemetryTopic} (dead letters: ${config.deadLetterTopic}${config.tenant ? `, bound to tenant ${config.tenant}` : ''})`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.ingestor.stop();
    this.logger.log('stopped consuming');
  }
}
