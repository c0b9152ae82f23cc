// The framework-free part of ingestion (`@rework-ledger/ingestion/core`): validate and store events, no NestJS.
export * from './core/event-ingestion';
export * from './core/store-valid-events';
