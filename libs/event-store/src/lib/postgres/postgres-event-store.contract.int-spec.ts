// The event-store contract against PostgreSQL: mandatory, in every run and in CI.
import { describeEventStoreContract } from '../event-store.contract';
import { openTestStore } from './postgres-event-store.test-kit';

describeEventStoreContract('PostgreSQL', async () => {
  const t = await openTestStore();
  return { store: t.store, close: () => t.close() };
});
