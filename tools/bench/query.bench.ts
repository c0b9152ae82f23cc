// npm run bench:query — the read side at scale: GET /v1/metrics/rework's query (groupBy=team, bucket=week, a year)
// and a course impact (SQL aggregation + estimator) over the 'bench' organisation: 10,000 employees, ~1M outputs.
// The read models are filled by applying the projections directly (no event store, no HTTP): what is measured is
// the query. Options: BENCH_QUERY_RUNS (default 30), DATABASE_URL.
import { validateEvent } from '@rework-ledger/contracts';
import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import type { StoredEvent } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import {
  courseCompletions,
  dailyActivity,
  fromPgPool,
  hourlyCostsAt,
  queryReworkMetrics,
  reworkMetricsProjection,
  trainingProjection,
} from '@rework-ledger/read-models';
import { DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { estimateCourseImpact } from '@rework-ledger/training-impact';
import { createBenchDatabase } from './bench-database';

const RUNS = Number(process.env['BENCH_QUERY_RUNS'] ?? 30);
const BATCH = 5000;
const DAY_MS = 86_400_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const pool = createPool(database.url, { max: 4 });
  try {
    const organisation = generateOrganisation(preset('bench', { tenant: 'bench' }));
    const client = await pool.connect();
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
      for (const projection of [reworkMetricsProjection, trainingProjection]) await projection.apply(client, projection.schema, batch);
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
    for (const schema of [reworkMetricsProjection.schema, trainingProjection.schema]) {
      const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
      for (const { tablename } of rows) await client.query(`VACUUM ANALYZE "${schema}"."${tablename}"`);
    }
    client.release();
    const { rows: counted } = await pool.query<{ outputs: string }>(`SELECT count(*) AS outputs FROM rm_rework.outputs WHERE generated`);
    console.log(`Rework Ledger query bench — ${loaded.toLocaleString('en')} events, ${Number(counted[0].outputs).toLocaleString('en')} outputs, ${database.server}`);
    console.log(`read models filled by direct projection in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

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
    };
    const timings: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      rows = (await queryReworkMetrics(db, metricsQuery)).length;
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    console.log('');
    console.log('| measure | value | target |');
    console.log('|---|---:|---|');
    console.log(`| rework metrics, groupBy=team & bucket=week, one year (${rows} rows), ${RUNS} runs: p50 / p95 | ${percentile(timings, 0.5).toFixed(0)} / ${percentile(timings, 0.95).toFixed(0)} ms | p95 ≤ 100 ms |`);

    const course = organisation.groundTruth.courses[0];
    const asOf = end;
    const impactTimings: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const completions = await courseCompletions(db, 'bench', course.courseId, asOf);
      const earliest = Math.min(...completions.map((c) => c.completedAt.getTime()));
      const since = new Date(Math.floor(earliest / DAY_MS) * DAY_MS - 56 * DAY_MS);
      const sqlStarted = performance.now();
      const [activity, costs] = await Promise.all([dailyActivity(db, 'bench', since, asOf), hourlyCostsAt(db, 'bench', asOf)]);
      const sqlMs = performance.now() - sqlStarted;
      const estimateStarted = performance.now();
      const estimate = estimateCourseImpact({
        asOf,
        windowDays: 28,
        minOutputs: 5,
        horizonDays: 90,
        completions,
        employees: [...new Set(activity.map((a) => a.employeeId))],
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
    await pool.end();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
