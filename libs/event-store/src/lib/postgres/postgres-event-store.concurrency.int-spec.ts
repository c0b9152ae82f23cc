import { comparePositions, type AppendResult, type NewEvent, type Position, type StoredEvent } from '../event-store.port';
import { newEvent, openTestStore, sleep, type TestStore, waitUntilVisible } from './postgres-event-store.test-kit';

// Every transaction of this file's pool sleeps up to 20 ms before COMMIT: positions taken later often commit earlier.
let t: TestStore;

beforeAll(async () => {
  t = await openTestStore({ poolSize: 12, commitDelayMs: 20 });
});

afterAll(async () => {
  await t?.close();
});

const key = (event: { source: string; id: string }): string => `${event.source}|${event.id}`;
const maxPosition = (positions: readonly Position[]): Position => positions.reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));

async function expectGaplessStreams(tenant: string): Promise<void> {
  const { rows } = await t.pool.query<{ stream_id: string; versions: string[]; version: string }>(
    `SELECT e.stream_id, array_agg(e.stream_version::text ORDER BY e.stream_version) AS versions, s.version::text AS version
       FROM events e JOIN streams s USING (tenant, stream_id)
      WHERE e.tenant = $1 GROUP BY e.stream_id, s.version`,
    [tenant],
  );
  for (const row of rows) {
    expect(row.versions).toEqual(row.versions.map((_, i) => String(i + 1)));
    expect(row.version).toBe(String(row.versions.length));
  }
}

describe('PostgreSQL event store under concurrency', () => {
  it('given the same batch retried concurrently from several connections, when appended, then it is stored once and every call gets a consistent split', async () => {
    const events = Array.from({ length: 40 }, () => newEvent());
    const batch = [0, 1, 2, 3].map((s) => ({ streamId: `dup-${s}`, expectedVersion: 'any' as const, events: events.filter((_, i) => i % 4 === s) }));
    const callers = 6;

    const results = await Promise.all(Array.from({ length: callers }, () => t.store.append('dup-tenant', batch)));

    for (const result of results) {
      // Each call accounts for every event exactly once: stored or duplicate.
      expect([...result.stored.map(key), ...result.duplicates.map(key)].sort()).toEqual(events.map(key).sort());
    }
    expect(results.flatMap((r) => r.stored)).toHaveLength(events.length);
    expect(results.flatMap((r) => r.duplicates)).toHaveLength(events.length * (callers - 1));
    const { rows } = await t.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM events WHERE tenant = 'dup-tenant'`);
    expect(rows[0].n).toBe(String(events.length));
    await expectGaplessStreams('dup-tenant');
  });

  it('given overlapping batches appended concurrently, including the same ids sent to different streams, when appended, then each event is stored once and versions stay gapless', async () => {
    const pool = Array.from({ length: 60 }, () => newEvent());
    const batches = Array.from({ length: 8 }, (_, caller) => {
      const slice = pool.slice(caller * 6, caller * 6 + 20);
      return [
        { streamId: `overlap-${caller % 3}`, expectedVersion: 'any' as const, events: slice.slice(0, 10) },
        { streamId: `overlap-${(caller + 1) % 3}`, expectedVersion: 'any' as const, events: slice.slice(10) },
      ];
    });

    const results: AppendResult[] = await Promise.all(batches.map((batch) => t.store.append('overlap-tenant', batch)));

    const stored = results.flatMap((r) => r.stored);
    expect(new Set(stored.map(key)).size).toBe(stored.length);
    const sent = new Set(batches.flatMap((batch) => batch.flatMap((append) => append.events.map(key))));
    expect(new Set(stored.map(key))).toEqual(sent);
    batches.forEach((batch, i) => {
      const total = batch.reduce((n, append) => n + append.events.length, 0);
      expect(results[i].stored.length + results[i].duplicates.length).toBe(total);
    });
    await expectGaplessStreams('overlap-tenant');
  });

  it('given 8 writers whose transactions commit out of position order, when a subscriber follows, then it sees every committed event exactly once in (transaction, position) order', async () => {
    const start = await t.store.headPosition();
    const delivered: StoredEvent[] = [];
    const subscription = t.store.subscribe({
      after: start,
      batchSize: 7,
      tenant: 'busy',
      handler: async (events) => {
        delivered.push(...events);
      },
    });

    const writers = 8;
    const transactionsPerWriter = 50;
    const committed: { order: number; positions: Position[] }[] = [];
    let commits = 0;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < transactionsPerWriter; i++) {
        const streams = [`busy-${(w * 3 + i * 5) % 32}`, `busy-${(w + i * 7) % 32}`];
        const appends = [...new Set(streams)].map((streamId) => ({
          streamId,
          expectedVersion: 'any' as const,
          events: Array.from({ length: 1 + ((w + i) % 3) }, (): NewEvent => newEvent({ data: { writer: w, transaction: i } })),
        }));
        const result = await t.store.append('busy', appends);
        committed.push({ order: commits++, positions: result.stored.map((e) => e.position) });
      }
    };
    // Another tenant's writes interleave and must be filtered out.
    const noise = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await t.store.append('quiet', [{ streamId: 'noise', expectedVersion: 'any', events: [newEvent()] }]);
    };
    await Promise.all([...Array.from({ length: writers }, (_, w) => writer(w)), noise()]);

    const allPositions = committed.flatMap((c) => c.positions);
    await waitUntilVisible(t.store, maxPosition(allPositions));
    await subscription.caughtUp();
    await sleep(250); // a few poll rounds: nothing more may arrive
    await subscription.stop();

    // The scenario really happened: some transaction committed after one that took later global positions.
    const inversions = committed.filter((earlier, i) =>
      committed.slice(i + 1).some((later) => later.positions[0].globalPosition < earlier.positions[0].globalPosition),
    ).length;
    expect(inversions).toBeGreaterThan(0);

    expect(delivered).toHaveLength(allPositions.length);
    expect(new Set(delivered.map(key)).size).toBe(delivered.length);
    expect(delivered.every((e) => e.tenant === 'busy')).toBe(true);
    for (let i = 1; i < delivered.length; i++) expect(comparePositions(delivered[i - 1].position, delivered[i].position)).toBe(-1);
    const expected = [...allPositions].sort(comparePositions);
    expect(delivered.map((e) => e.position)).toEqual(expected);
    await expectGaplessStreams('busy');
  }, 30_000);
});
