export * from './core';
export * from './lib/event-log.port';
export * from './lib/events.controller';
export * from './lib/http-event-decoder';
export * from './lib/ingest-events.command';
export * from './lib/ingestion.module';
export * from './lib/queue-events.command';
