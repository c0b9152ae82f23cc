// The event-store contract against a real EventStoreDB / KurrentDB: runs when EVENTSTORE_CONNECTION_STRING is set
// (e.g. esdb://127.0.0.1:2113?tls=false). These machines cannot run the server, so without it the suite is skipped,
// visibly: the one skip allowed in CI. The PostgreSQL run of the same suite is mandatory.
import { describeEventStoreContract } from '@rework-ledger/event-store/testing';
import { connectEventStoreDb } from './eventstoredb-connection';
import { createEventStoreDbEventStore } from './eventstoredb-event-store';

const connectionString = process.env['EVENTSTORE_CONNECTION_STRING']?.trim();

if (connectionString) {
  describeEventStoreContract('EventStoreDB', async () => {
    const connection = connectEventStoreDb(connectionString);
    const store = createEventStoreDbEventStore({ connection, retryBackoff: { initialMs: 20, maxMs: 200 } });
    return {
      store,
      async close() {
        await store.close();
        await connection.dispose();
      },
    };
  });
} else {
  console.warn('EventStoreDB contract suite SKIPPED: set EVENTSTORE_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false) to run it against a server.');
  describe.skip('EventStore contract: EventStoreDB (skipped: EVENTSTORE_CONNECTION_STRING is not set)', () => {
    it('runs the event-store contract against EventStoreDB', () => undefined);
  });
}
