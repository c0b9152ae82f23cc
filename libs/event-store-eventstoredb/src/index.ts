export { connectEventStoreDb, type EventStoreDbConnection, toEsdbConnectionString } from './lib/eventstoredb-connection';
export { createEventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './lib/eventstoredb-event-store';
export { toPortPosition, toReadPosition } from './lib/eventstoredb-events';
export { eventStoreDbEventId, eventStoreDbStreamName, LEDGER_STREAM_PREFIX, parseEventStoreDbStreamName, tenantStreamPrefix } from './lib/eventstoredb-names';
