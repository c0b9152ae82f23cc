export * from './lib/kafka-test-broker';
