// npm run bench:query — the read side at scale: GET /v1/metrics/rework's query (groupBy=team, bucket=week, a year)
// and a course impact (SQL aggregation + estimator) over the 'bench' organisation: 10,000 employees, ~1M outputs.
// The read models are filled by applying the projections directly as a rebuild does (no event store, no HTTP; the
// rollups derived at the end): what is measured is the query. Options: BENCH_QUERY_RUNS (default 30), DATABASE_URL,
// BENCH_KEEP_DATABASE=true (to look at the plans after), BENCH_REUSE_DATABASE=<url of a kept database> (skips the fill).
import { validateEvent } from '@rework-ledger/contracts';
import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import type { StoredEvent } from '@rework-ledger/event-store';
import { createPool, READ_SESSION_OPTIONS } from '@rework-ledger/platform';
import type { Projection } from '@rework-ledger/projections';
import {
  courseCompletions,
  activityColumnsFromRollups,
  employeeActivity,
  fromPgPool,
  hourlyCostsAt,
  queryProtectedReworkMetrics,
  queryReworkCells,
  queryReworkMetrics,
  type ReworkMetricsQuery,
  reworkMetricsProjection,
  trainingProjection,
} from '@rework-ledger/read-models';
import { DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { closeCourseImpactWorkers, estimateCourseImpactInParallel } from '@rework-ledger/training-impact';
import type { Pool } from 'pg';
import { createBenchDatabase } from './bench-database';

const RUNS = Number(process.env['BENCH_QUERY_RUNS'] ?? 30);
const BATCH = 5000;
const DAY_MS = 86_400_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

async function main(): Promise<void> {
  const reuse = process.env['BENCH_REUSE_DATABASE'];
  const database = reuse ? { url: reuse, server: `PostgreSQL at ${new URL(reuse).host}, reused`, drop: async () => undefined } : await createBenchDatabase();
  const pool = createPool(database.url, { max: 4, sessionOptions: READ_SESSION_OPTIONS });
  try {
    const organisation = generateOrganisation(preset('bench', { tenant: 'bench' }));
    if (!reuse) await fillReadModels(pool, organisation);
    const { rows: counted } = await pool.query<{ outputs: string }>(`SELECT count(*) AS outputs FROM rm_rework.outputs WHERE generated`);
    console.log(`Rework Ledger query bench — ${Number(counted[0].outputs).toLocaleString('en')} outputs, ${database.server}`);
    const db = fromPgPool(pool);
    const { end, start } = organisation.options;
    const metricsQuery = {
      tenant: 'bench',
      from: start,
      to: end,
      groupBy: 'team' as const,
      bucket: 'week' as const,
      defaultHourlyCost: 60,
      defaultMinutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE,
      privacyMinGroupSize: 5,
    } satisfies ReworkMetricsQuery;
    const timeMetrics = async (name: string, query: ReworkMetricsQuery, runs: number, target: string) => {
      const timings: number[] = [];
      let rows = 0;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        rows = (await queryReworkMetrics(db, query)).length;
        timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      console.log(`| ${name} (${rows} rows), ${runs} runs: p50 / p95 | ${percentile(timings, 0.5).toFixed(0)} / ${percentile(timings, 0.95).toFixed(0)} ms | ${target} |`);
    };
    console.log('');
    console.log('| measure | value | target |');
    console.log('|---|---:|---|');
    await timeMetrics('rework metrics, groupBy=team & bucket=week, one year, from the daily rollups', metricsQuery, RUNS, 'p95 ≤ 100 ms');
    const partDays = { ...metricsQuery, from: new Date(start.getTime() + 5 * 3_600_000), to: new Date(end.getTime() - 5 * 3_600_000) };
    await timeMetrics('the same with part-days at both ends (rollups + the outputs of the part-days)', partDays, RUNS, 'p95 ≤ 100 ms');
    await timeMetrics('the same grouped by tool, filtered by task type', { ...metricsQuery, groupBy: 'tool', filters: { taskType: 'coding' } }, RUNS, '—');
    await timeMetrics('the same from the outputs (reference; drill-downs by two dimensions read this way)', { ...metricsQuery, readFrom: 'outputs' }, 3, '—');
    // A caller without admin (privacy v2): the protected tables of each month (whatever the bucket), from the daily rollups, then protected.
    const protectedTimings: number[] = [];
    let protectedRows = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      protectedRows = (await queryProtectedReworkMetrics(db, metricsQuery)).rows.length;
      protectedTimings.push(performance.now() - started);
    }
    protectedTimings.sort((a, b) => a - b);
    console.log(
      `| the same for a caller without admin (protected tables of each month, from the rollups; ${protectedRows} rows), ${RUNS} runs: p50 / p95 | ${percentile(protectedTimings, 0.5).toFixed(0)} / ${percentile(protectedTimings, 0.95).toFixed(0)} ms | p95 ≤ 100 ms |`,
    );
    const cellsQuery = { ...metricsQuery, period: 'month' as const };
    const cellsTimings: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await queryReworkCells(db, cellsQuery);
      cellsTimings.push(performance.now() - started);
    }
    cellsTimings.sort((a, b) => a - b);
    console.log(`| of which reading the cells of the protected tables, ${RUNS} runs: p50 / p95 | ${percentile(cellsTimings, 0.5).toFixed(0)} / ${percentile(cellsTimings, 0.95).toFixed(0)} ms | — |`);

    const course = organisation.groundTruth.courses[0];
    // As GET …/impact by default: as of now, after every fact of the organisation, so the employee months answer.
    const asOf = new Date(Math.max(Date.now(), end.getTime()));
    console.log(`| activity read from the employee months (not the outputs) | ${(await activityColumnsFromRollups(db, 'bench', start, asOf)) !== null} | — |`);
    const impactTimings: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const completions = await courseCompletions(db, 'bench', course.courseId, asOf);
      const earliest = Math.min(...completions.map((c) => c.completedAt.getTime()));
      const since = new Date(Math.floor(earliest / DAY_MS) * DAY_MS - 56 * DAY_MS);
      const sqlStarted = performance.now();
      // As the API reads it: the employee months as columns (after every fact), else the outputs.
      const [{ employees, activity }, costs] = await Promise.all([employeeActivity(db, 'bench', since, asOf), hourlyCostsAt(db, 'bench', asOf)]);
      const sqlMs = performance.now() - sqlStarted;
      const estimateStarted = performance.now();
      // As the API computes it: the bootstrap spread over worker threads.
      const estimate = await estimateCourseImpactInParallel({
        asOf,
        windowDays: 28,
        minOutputs: 5,
        horizonDays: 90,
        completions,
        employees,
        activity,
        hourlyCost: (employeeId) => costs.get(employeeId) ?? 60,
        costPerSeat: 180,
        currencyMatchesTenant: true,
      });
      const estimateMs = performance.now() - estimateStarted;
      impactTimings.push(performance.now() - started);
      if (i === 0) {
        console.log(
          `| course impact ${course.courseId} (true effect ${course.trueEffect}): ATT ${estimate.att?.toFixed(4)} [${estimate.ci95?.map((v) => v.toFixed(4)).join(', ')}], ${estimate.trainees.eligible} eligible | SQL ${sqlMs.toFixed(0)} ms + estimator ${estimateMs.toFixed(0)} ms | ≤ 2 s |`,
        );
      }
    }
    impactTimings.sort((a, b) => a - b);
    console.log(`| course impact computed, 3 runs: best / worst | ${impactTimings[0].toFixed(0)} / ${impactTimings[2].toFixed(0)} ms | ≤ 2 s |`);
  } finally {
    await closeCourseImpactWorkers();
    await pool.end();
    if (process.env['BENCH_KEEP_DATABASE'] === 'true') console.log(`database kept (BENCH_KEEP_DATABASE): ${database.url}`);
    else await database.drop();
  }
}

/** Fills the read models of the 'bench' organisation as a rebuild does: the projections applied directly, then completed. */
async function fillReadModels(pool: Pool, organisation: ReturnType<typeof generateOrganisation>): Promise<void> {
  const client = await pool.connect();
  try {
    for (const projection of [reworkMetricsProjection, trainingProjection]) {
      await client.query(`CREATE SCHEMA "${projection.schema}"`);
      await projection.createTables(client, projection.schema);
    }
    let position = 0n;
    let batch: StoredEvent[] = [];
    let loaded = 0;
    const loadStarted = performance.now();
    const flush = async () => {
      await client.query('BEGIN');
      // Every event to each projection, as stored (validated above): each reads the types it handles, as the runner hands them.
      const projections: readonly Projection[] = [reworkMetricsProjection, trainingProjection];
      for (const projection of projections) await projection.apply(client, projection.schema, batch, { rebuilding: true });
      await client.query('COMMIT');
      loaded += batch.length;
      batch = [];
    };
    for (const raw of organisation.iterateEvents()) {
      const result = validateEvent(raw, { fromCredentials: 'bench' });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      position += 1n;
      const { id, source, type, time, data } = result.event;
      batch.push({ tenant: 'bench', streamId: '-', streamVersion: 1n, position: { transactionId: 1n, globalPosition: position }, id, source, type, time, data, recordedAt: time });
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    const appliedIn = (performance.now() - loadStarted) / 1000;
    // As the runner completes a rebuild: one transaction, no ANALYZE before it.
    const completeStarted = performance.now();
    await client.query('BEGIN');
    for (const projection of [reworkMetricsProjection, trainingProjection]) await projection.completeRebuild?.(client, projection.schema);
    await client.query('COMMIT');
    const completedIn = (performance.now() - completeStarted) / 1000;
    for (const schema of [reworkMetricsProjection.schema, trainingProjection.schema]) {
      const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
      for (const { tablename } of rows) await client.query(`VACUUM ANALYZE "${schema}"."${tablename}"`);
    }
    console.log(
      `read models filled as a rebuild fills them: ${loaded.toLocaleString('en')} events applied in ${appliedIn.toFixed(1)} s, ` +
        `then the outputs and rollups derived in ${completedIn.toFixed(1)} s`,
    );
  } finally {
    client.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
