import { newEvent, openTestStore, type TestStore } from './postgres-event-store.test-kit';
import { STORED_KEYS_SQL } from './postgres-event-store';

/** The nodes of an EXPLAIN (FORMAT JSON) plan, depth first. */
type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

const LOG_EVENTS = 100_000;
const KEYS = 2000;

/**
 * The append's duplicate check must not depend on what the planner knows of `events`: a log without statistics (never
 * analyzed — autovacuum off, a log just restored) made a join of the keys with the log hash the tenant's whole log for
 * every append (docs/scaling.md). Here the log is filled in SQL and never analyzed, as on such a server.
 */
describe('PostgreSQL event store: the duplicate check of an append, on a log without planner statistics', () => {
  let t: TestStore;
  let plan: (sql: string) => Promise<PlanNode[]>;

  beforeAll(async () => {
    t = await openTestStore();
    // Never analyzed, even on a server with autovacuum on (100,000 rows would pass its threshold mid-test).
    await t.pool.query('ALTER TABLE events SET (autovacuum_enabled = false)');
    await t.pool.query(
      `INSERT INTO events (tenant, stream_id, stream_version, event_id, source, type, time, data)
       SELECT 'acme', 'stream-' || (i % 1000), i / 1000 + 1, 'event-' || i, 'urn:test', 'test.happened', now(), '{}'
         FROM generate_series(0, $1::int - 1) AS i`,
      [LOG_EVENTS],
    );
    // Half of the keys are in the log, half are new: what a retried batch with new events sends.
    const ids = Array.from({ length: KEYS }, (_, i) => (i % 2 === 0 ? `event-${i * 37}` : `new-${i}`));
    const values = ['acme', ids.map(() => 'urn:test'), ids];
    plan = async (sql) => {
      const { rows } = await t.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, values);
      return nodesOf(rows[0]['QUERY PLAN'][0].Plan);
    };
  }, 60_000);
  afterAll(() => t.close());

  it('given no statistics, then a plain join of the keys with the log reads the whole log (the trap this guards against)', async () => {
    expect(Number((await t.pool.query(`SELECT reltuples FROM pg_class WHERE relname = 'events'`)).rows[0].reltuples)).toBe(-1);
    const joined = await plan(
      `SELECT e.source, e.event_id FROM events e
         JOIN unnest($2::text[], $3::text[]) AS k(source, event_id) ON e.source = k.source AND e.event_id = k.event_id
        WHERE e.tenant = $1`,
    );
    expect(joined.map((node) => node['Node Type'])).toContain('Hash');
  });

  it('then the duplicate check probes the identity index once per key, and reads no other way into the log', async () => {
    const nodes = await plan(STORED_KEYS_SQL);
    const onEvents = nodes.filter((node) => node['Relation Name'] === 'events');
    expect(onEvents.length).toBeGreaterThan(0);
    for (const node of onEvents) {
      expect(['Index Scan', 'Index Only Scan']).toContain(node['Node Type']);
      expect(node['Index Name']).toBe('events_identity_key');
    }
    expect(nodes.map((node) => node['Node Type'])).not.toContain('Hash');
  });

  it('then an append of stored and new events stores the new ones only and answers the others as duplicates', async () => {
    const stored = newEvent({ id: 'event-42' });
    const fresh = newEvent();
    const result = await t.store.append('acme', [{ streamId: 'retried', expectedVersion: 'any', events: [stored, fresh] }]);
    expect(result.stored.map((event) => event.id)).toEqual([fresh.id]);
    expect(result.duplicates.map((duplicate) => duplicate.id)).toEqual(['event-42']);
  });
});
