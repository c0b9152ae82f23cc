import type { ValidEvent } from '@rework-ledger/contracts';
import { streamNameFor } from '@rework-ledger/domain';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/**
 * The floor every write path is compared with: the same events, as rows of the event table's shape, COPYed into a
 * table with no constraint or index in the same PostgreSQL. Returns events per second.
 */
export async function measureRawCopy(pool: Pool, events: readonly ValidEvent[]): Promise<number> {
  await pool.query('DROP TABLE IF EXISTS bench_raw_copy');
  await pool.query(`CREATE TABLE bench_raw_copy (
    global_position bigint, transaction_id xid8, tenant text, stream_id text, stream_version bigint, event_id text,
    source text, type text, time timestamptz, subject text, data jsonb, recorded_at timestamptz)`);
  const client = await pool.connect();
  try {
    const started = performance.now();
    const versions = new Map<string, number>();
    let position = 0;
    const rows = Readable.from(
      (function* () {
        for (const event of events) {
          const streamId = streamNameFor(event.type, event.data);
          const version = (versions.get(streamId) ?? 0) + 1;
          versions.set(streamId, version);
          position += 1;
          yield [position, '1', event.tenant, streamId, version, event.id, event.source, event.type, event.time.toISOString(), '\\N', JSON.stringify(event.data), new Date().toISOString()]
            .map((cell) => (cell === '\\N' ? cell : escape(String(cell))))
            .join('\t') + '\n';
        }
      })(),
    );
    await pipeline(rows, client.query(copyFrom('COPY bench_raw_copy FROM STDIN')));
    return events.length / ((performance.now() - started) / 1000);
  } finally {
    client.release();
    await pool.query('DROP TABLE bench_raw_copy');
  }
}
