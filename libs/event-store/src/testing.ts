// Test support for adapters of the event-store port (jest only; never imported by application code).
export * from './lib/event-store.contract';
