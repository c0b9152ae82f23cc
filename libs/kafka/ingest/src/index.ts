export * from './lib/dead-letter';
export * from './lib/kafka-ingest.consumer';
export * from './lib/kafka-ingest.metrics';
export * from './lib/kafka-ingest.module';
export * from './lib/kafka-ingest.topics';
export * from './lib/kafka-message.decoder';
export * from './lib/store-failures';
