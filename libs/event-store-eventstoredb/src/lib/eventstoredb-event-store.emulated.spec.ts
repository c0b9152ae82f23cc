// The event-store contract against the EventStoreDB adapter over an in-memory stand-in for the server: exercises the
// adapter's own logic (names, ids, duplicate detection, expected revisions, positions, subscriptions) in every run.
// The real server's run is eventstoredb-event-store.contract.int-spec.ts.
import { describeEventStoreContract } from '@rework-ledger/event-store/testing';
import { createEventStoreDbEventStore } from './eventstoredb-event-store';
import { createInMemoryEventStoreDb } from './testing/in-memory-eventstoredb';

describeEventStoreContract('EventStoreDB adapter over an in-memory server', async () => {
  const connection = createInMemoryEventStoreDb();
  const store = createEventStoreDbEventStore({ connection, retryBackoff: { initialMs: 10, maxMs: 50 } });
  return {
    store,
    async close() {
      await store.close();
      await connection.dispose();
    },
  };
});
