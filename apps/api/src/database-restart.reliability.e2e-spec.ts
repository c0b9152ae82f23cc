import type { INestApplication } from '@nestjs/common';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '@rework-ledger/platform';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { reworkMetricsProjection } from '@rework-ledger/read-models';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { embeddedPostgresAvailable } from '@rework-ledger/testing';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createApiApp } from './create-api-app';

/**
 * Reliability: the database restarts while a client keeps posting batches. Every batch is acknowledged (202) or
 * refused as retriable (503 with Retry-After); once the refused ones are sent again, each event is stored exactly once
 * and the read model counts every one. The database is an embedded PostgreSQL of the test's own (own port and folder),
 * never the shared one, so stopping it disturbs nobody.
 */
const SUITE = 'database restarted under ingestion (apps/api)';
const available = embeddedPostgresAvailable(SUITE);

const TENANT = 'restart';
const BATCHES = 60;
const PER_BATCH = 25;
const CLIENTS = 3;
/** The 503 codes that ask for the same request again (Retry-After): the database unreachable, or every connection of the pool busy. */
const RETRIABLE_CODES = ['DATABASE.UNAVAILABLE', 'DATABASE.OVERLOADED'];

jest.setTimeout(120_000);

const batch = (index: number) =>
  Array.from({ length: PER_BATCH }, (_, offset) => {
    const n = index * PER_BATCH + offset;
    return {
      specversion: '1.0',
      id: `restart-${n}`,
      source: 'urn:reliability',
      type: 'ai.output.generated',
      time: '2026-03-02T10:00:00Z',
      data: { outputId: `o-${n}`, employeeId: `e-${n % 17}`, teamId: `team-${n % 3}`, tool: 'copilot', taskType: 'coding' },
    };
  });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function count(url: string, sql: string, parameters: unknown[]): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql, parameters)).rows[0].n);
  } finally {
    await client.end();
  }
}

(available ? describe : describe.skip)(SUITE, () => {
  let dataDir: string;
  let port: number;
  let server: EmbeddedPostgresServer;
  let app: INestApplication;
  let baseUrl: string;
  let key: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rl-restart-pg-'));
    await chmod(dataDir, 0o755); // as root, the OS user postgres runs the server and must reach it
    port = await freePort();
    server = await startEmbeddedPostgres({ persistent: true, dataDir, port });
    app = await createApiApp({ databaseUrl: server.url, defaults: { currency: 'USD', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } }, []);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    key = (await app.get<ApiKeys>(API_KEYS).create(TENANT, ['ingest', 'admin'], 'reliability')).key;
  });

  afterAll(async () => {
    await app?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('acknowledges or refuses each batch as retriable, and stores every event exactly once', async () => {
    const pending = Array.from({ length: BATCHES }, (_, index) => index);
    const answers = { accepted: 0, duplicates: 0, acknowledged: 0, refused: 0 };
    const unexpected: string[] = [];
    let acknowledgedBatches = 0;

    const post = async (index: number): Promise<boolean> => {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cloudevents-batch+json' },
          body: JSON.stringify(batch(index)),
          // A request that hangs while the database is away is a failure of its own, not a wait.
          signal: AbortSignal.timeout(20_000),
        });
      } catch (error) {
        unexpected.push(`batch ${index}: no answer (${(error as Error).message})`);
        return false;
      }
      const body = (await response.json()) as { accepted?: number; duplicates?: number; rejected?: unknown[]; code?: string };
      if (response.status === 202) {
        answers.acknowledged += 1;
        answers.accepted += body.accepted ?? 0;
        answers.duplicates += body.duplicates ?? 0;
        if (body.rejected?.length) unexpected.push(`batch ${index}: rejected ${JSON.stringify(body.rejected)}`);
        acknowledgedBatches += 1;
        return true;
      }
      const retryAfter = response.headers.get('retry-after');
      // A database that restarts, or (were the pool ever full while it does) a pool that stayed busy: both say "send it again".
      if (response.status === 503 && retryAfter !== null && Number(retryAfter) > 0 && RETRIABLE_CODES.includes(body.code ?? '')) {
        answers.refused += 1;
        return false;
      }
      unexpected.push(`batch ${index}: ${response.status} ${JSON.stringify(body)} (Retry-After ${retryAfter})`);
      return false;
    };

    // Clients take batches from one queue; a refused batch goes back at the end, sent again after a short pause
    // (shorter than Retry-After, which asks for seconds, to keep the test quick: only its presence is the contract).
    const client = async () => {
      for (let index = pending.shift(); index !== undefined; index = pending.shift()) {
        if (!(await post(index))) {
          pending.push(index);
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
        if (unexpected.length > 0) return;
      }
    };

    // Restart the database twice while the clients post: once after a third of the batches, once after two thirds.
    const restarts = (async () => {
      for (const after of [BATCHES / 3, (2 * BATCHES) / 3]) {
        while (acknowledgedBatches < after && unexpected.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        if (unexpected.length > 0) return;
        await server.stop();
        // Down long enough for every client to be refused at least once.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        server = await startEmbeddedPostgres({ persistent: true, dataDir, port });
      }
    })();

    await Promise.all([...Array.from({ length: CLIENTS }, client), restarts]);
    expect(unexpected).toEqual([]);
    expect(answers.acknowledged).toBe(BATCHES);
    expect(answers.refused).toBeGreaterThan(0); // the restarts happened under load
    // A batch whose commit was acknowledged by PostgreSQL but whose answer was lost comes back as duplicates.
    expect(answers.accepted + answers.duplicates).toBe(BATCHES * PER_BATCH);

    const total = BATCHES * PER_BATCH;
    expect(await count(server.url, 'SELECT count(*) AS n FROM events WHERE tenant = $1', [TENANT])).toBe(total);
    expect(await count(server.url, 'SELECT count(DISTINCT (source, event_id)) AS n FROM events WHERE tenant = $1', [TENANT])).toBe(total);
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(60_000);
    expect(await count(server.url, `SELECT count(*) AS n FROM "${reworkMetricsProjection.schema}".outputs WHERE tenant = $1`, [TENANT])).toBe(total);

    const response = await fetch(`${baseUrl}/v1/metrics/rework?from=2026-03-01&to=2026-03-03`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    const metrics = (await response.json()) as { rows: { outputs: number }[] };
    expect(metrics.rows.reduce((sum, row) => sum + row.outputs, 0)).toBe(total);
  });
});
