export * from './lib/event-store.port';
export { createPostgresEventStore, type PostgresEventStoreOptions } from './lib/postgres/postgres-event-store';
export { EVENT_STORE_CHANNEL, eventStoreMigrations, migrateEventStore } from './lib/postgres/event-store.schema';
export * from './lib/event-store.token';
// Store-agnostic rules of an append (identity keys, duplicates, expected versions), shared by every adapter.
export { eventKey, placeEvents, planAppend, satisfiesExpectedVersion, validateAppend, type AppendPlan, type PlacedEvent } from './lib/postgres/append-plan';
export { createSubscriptionRegistry } from './lib/subscription-registry';
