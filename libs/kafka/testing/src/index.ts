export * from './lib/kafka-test-broker';
export * from './lib/script-broker';
