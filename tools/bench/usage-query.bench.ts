// npm run bench:usage — GET /v1/metrics/usage's query at ten million events (issue 15): the usage read model of the
// organisation `bench:scale` fills (10,000 employees, a year, its output rate raised until the log would hold
// BENCH_USAGE_EVENTS events, default 10,000,000), filled by applying the projections directly as a rebuild does (no
// event log, no HTTP): only the usage facts, the identity links and the directory the usage answers read. What is
// measured is the query (and for a read key the protection of each month, in memory), for the answers the operations view asks for (total and by team, over 90 days and 12 months),
// for an admin (exact) and a read key (the protected tables of each month), with and without licence seats.
// Options: BENCH_USAGE_EVENTS, BENCH_QUERY_RUNS (default 10, after one warm-up; one run for an answer slower than 10 s), DATABASE_URL, BENCH_KEEP_DATABASE=true,
// BENCH_REUSE_DATABASE=<url of a kept database> (skips the fill: to compare two builds of the query on the same rows),
// BENCH_USAGE_MATCH=<text> (only the answers whose name holds it).
import { validateEvent } from '@rework-ledger/contracts';
import type { SeatCost } from '@rework-ledger/domain';
import { generateOrganisation } from '@rework-ledger/demo-data';
import type { StoredEvent } from '@rework-ledger/event-store';
import { CONFIG_DEFAULTS, createPool, READ_SESSION_OPTIONS } from '@rework-ledger/platform';
import type { Projection } from '@rework-ledger/projections';
import { fromPgPool, queryProtectedUsageMetrics, queryUsageMetrics, reworkMetricsProjection, usageProjection } from '@rework-ledger/read-models';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { createBenchDatabase } from './bench-database';
import { loadAverage, organisationEvents, scaledOrganisationOptions } from './scale-fill';

const TARGET_EVENTS = Number(process.env['BENCH_USAGE_EVENTS'] ?? 10_000_000);
const RUNS = Number(process.env['BENCH_QUERY_RUNS'] ?? 10);
const REUSE = process.env['BENCH_REUSE_DATABASE'];
const MATCH = process.env['BENCH_USAGE_MATCH'] ?? '';
const TENANT = 'bench';
const BATCH = 5000;
const DAY_MS = 86_400_000;
/** The event types the usage answers read: usage facts and links (the usage read model), the directory (the rework one's). */
const USAGE_TYPES = new Set(['ai.usage.recorded', 'employee.identity_linked']);
const DIRECTORY_TYPES = new Set(['employee.assigned']);
/** Licence seats for the tools of the generated organisation, as a tenant would set them (`PUT /v1/settings`). */
const SEATS: readonly SeatCost[] = [
  { tool: 'copilot', seatCost: 19, currency: 'USD' },
  { tool: 'chatgpt-enterprise', seatCost: 30, currency: 'USD', seats: 4000 },
];

/**
 * A short digest of an answer, its numbers to 10 significant digits: two builds of the query compared on the same rows
 * must print the same digests (sums in another order differ in their last bits: seat spends over a year by 2e-14 of
 * their value, which 12 digits once rounded apart).
 */
const digest = (answer: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(answer, (_key, value: unknown) => (typeof value === 'number' ? Number(value.toPrecision(10)) : value)))
    .digest('hex')
    .slice(0, 12);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

/** A protected answer's rows, and its withheld part as one more row (what the caller is told). */
const answerOf = (answer: { rows: unknown[]; suppressed: unknown }) => [...answer.rows, { suppressed: answer.suppressed }];

async function main(): Promise<void> {
  const database = REUSE ? { url: REUSE, server: `PostgreSQL at ${new URL(REUSE).host}, reused`, drop: async () => undefined } : await createBenchDatabase();
  const pool = createPool(database.url, { max: CONFIG_DEFAULTS.DATABASE_READ_POOL_SIZE, sessionOptions: READ_SESSION_OPTIONS });
  try {
    if (!REUSE) await fill(pool);
    const { rows } = await pool.query<{ rows: string; end: Date }>(`SELECT count(*)::text AS rows, max(day)::timestamptz AS end FROM rm_usage.usage_daily`);
    const end = new Date(new Date(rows[0].end).getTime() + DAY_MS);
    console.log(`Rework Ledger usage query bench — ${Number(rows[0].rows).toLocaleString('en')} rows of usage_daily, ${database.server}`);
    const db = fromPgPool(pool);
    const views: { name: string; run: () => Promise<unknown[]> }[] = [];
    for (const days of [90, 365]) {
      const period = { tenant: TENANT, from: new Date(end.getTime() - days * DAY_MS), to: end, privacyMinGroupSize: 5 };
      for (const seatCosts of [[], SEATS]) {
        const seats = seatCosts.length > 0 ? ', with seats' : '';
        views.push(
          { name: `${days} days, admin, total${seats}`, run: () => queryUsageMetrics(db, { ...period, seatCosts }) },
          { name: `${days} days, admin, groupBy=team${seats}`, run: () => queryUsageMetrics(db, { ...period, seatCosts, groupBy: 'team' }) },
        );
        // A read key's answer covers whole months, at most MAX_PRIVACY_PERIODS of them: its 12-month answer is the dashboard's too.
        views.push(
          { name: `${days} days, read key, total${seats}`, run: async () => answerOf(await queryProtectedUsageMetrics(db, { ...period, seatCosts })) },
          { name: `${days} days, read key, groupBy=team${seats}`, run: async () => answerOf(await queryProtectedUsageMetrics(db, { ...period, seatCosts, groupBy: 'team' })) },
        );
      }
      // The operations view asks for usage twice and for net value (a usage answer beside a rework one) at once: the
      // three usage answers together, on a pool of the API's default size (not the value answer's rework statement,
      // nor the page's four rework answers: milliseconds each, from the rollups).
      views.push({
        name: `${days} days, admin, the operations view's three usage answers at once`,
        run: async () => (await Promise.all([queryUsageMetrics(db, period), queryUsageMetrics(db, { ...period, groupBy: 'team' }), queryUsageMetrics(db, period)])).flat(),
      });
    }
    console.log(`load average at the start: ${loadAverage()}; ${RUNS} runs each after one warm-up (one when the warm-up took over 10 s)`);
    console.log('| answer | rows | digest | p50 ms | p95 ms |');
    console.log('|---|---:|---|---:|---:|');
    for (const view of views.filter((candidate) => candidate.name.includes(MATCH))) {
      const warmUpStarted = performance.now();
      const answered = await view.run();
      // An answer slower than 10 s in its warm-up is timed once more: its figure is plain without thirty of it.
      const runs = performance.now() - warmUpStarted > 10_000 ? 1 : RUNS;
      const timings: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await view.run();
        timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      console.log(`| ${view.name} | ${answered.length} | ${digest(answered)} | ${percentile(timings, 0.5).toFixed(0)} | ${percentile(timings, 0.95).toFixed(0)} |`);
    }
    console.log(`load average at the end: ${loadAverage()}`);
  } finally {
    await pool.end();
    if (process.env['BENCH_KEEP_DATABASE'] === 'true' || REUSE) console.log(`database kept: ${database.url}`);
    else await database.drop();
  }
}

/** The usage read model and the rework one's directory, applied in store order as a rebuild applies them. */
async function fill(pool: Pool): Promise<void> {
  const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const organisation = generateOrganisation(scaledOrganisationOptions(TARGET_EVENTS, TENANT, end));
  const client = await pool.connect();
  try {
    for (const projection of [reworkMetricsProjection, usageProjection]) {
      await client.query(`CREATE SCHEMA "${projection.schema}"`);
      await projection.createTables(client, projection.schema);
    }
    let position = 0n;
    let generated = 0;
    let usage: StoredEvent[] = [];
    let directory: StoredEvent[] = [];
    const started = performance.now();
    const flush = async () => {
      await client.query('BEGIN');
      // Each gets the events of its types, as the runner hands them.
      const [rework, usageModel]: readonly Projection[] = [reworkMetricsProjection, usageProjection];
      await rework.apply(client, rework.schema, directory, { rebuilding: true });
      await usageModel.apply(client, usageModel.schema, usage, { rebuilding: true });
      await client.query('COMMIT');
      usage = [];
      directory = [];
    };
    for (const raw of organisationEvents(organisation)) {
      generated += 1;
      position += 1n;
      const wanted = USAGE_TYPES.has(raw.type) ? usage : DIRECTORY_TYPES.has(raw.type) ? directory : undefined;
      if (wanted === undefined) continue;
      const result = validateEvent(raw, { fromCredentials: TENANT });
      if (!result.ok) throw new Error(`a generated event is invalid: ${result.errors.map((error) => error.code).join(', ')}`);
      const { id, source, type, time, data } = result.event;
      wanted.push({ tenant: TENANT, streamId: '-', streamVersion: 1n, position: { transactionId: 1n, globalPosition: position }, id, source, type, time, data, recordedAt: time });
      if (usage.length + directory.length >= BATCH) await flush();
      if (generated % 1_000_000 === 0) console.log(`  ${generated.toLocaleString('en')} events generated, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    await flush();
    await client.query('BEGIN');
    await reworkMetricsProjection.completeRebuild?.(client, reworkMetricsProjection.schema);
    await client.query('COMMIT');
    for (const schema of [reworkMetricsProjection.schema, usageProjection.schema]) {
      const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
      for (const { tablename } of rows) await client.query(`VACUUM ANALYZE "${schema}"."${tablename}"`);
    }
    console.log(`filled: ${generated.toLocaleString('en')} events generated in ${((performance.now() - started) / 1000).toFixed(0)} s (the usage facts, links and directory applied)`);
  } finally {
    client.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
