export * from './lib/cloud-event-message';
export * from './lib/http-telemetry-sender';
export * from './lib/kafka-event-log';
export * from './lib/kafka-connection';
export * from './lib/kafka-topics';
export * from './lib/telemetry-producer';
