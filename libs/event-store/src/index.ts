export * from './lib/event-store.port';
export { createPostgresEventStore, type PostgresEventStoreOptions } from './lib/postgres/postgres-event-store';
export { EVENT_STORE_CHANNEL, eventStoreMigrations, migrateEventStore } from './lib/postgres/event-store.schema';
export * from './lib/event-store.token';
